"""Funnel Forecast's running totals (forecast_totals.py), kept by the app without triggers: after
a random sequence of every kind of write to the current-stage table they equal a recomputation
from it, a move sends one statement for them, and the report answers the same from them as from
the cards one by one — for a Sales Manager, a Sales User limited to a company, and (exact path) a
Sales User limited to some cards."""

from __future__ import annotations

import random

import frappe

from funnel_suite.api import move_card, rebuild_forecast_totals
from funnel_suite.funnel_analytics import forecast_totals, reports
from funnel_suite.funnel_analytics.summary import rebuild, rebuild_card_state
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lead_source,
	ensure_lost_reason,
	executed_queries,
	make_funnel,
	make_opportunity,
	make_user,
	other_company,
)

STAGES = [
	{"stage_name": "Inquiry", "stage_type": "Open", "probability": 10},
	{"stage_name": "Proposal", "stage_type": "Open", "probability": 50},
	{"stage_name": "Contract", "stage_type": "Won", "probability": 100},
	{"stage_name": "Lost", "stage_type": "Lost"},
]
CLOSES = (None, "2026-03-15", "2026-03-31", "2026-04-01", "2026-05-20")
AMOUNTS = (0, 75, 100, 250.5, 1000, 0.1)
ACTIONS = (
	*("move", "move", "move"),
	*("amount", "close", "owner", "company", "source", "territory"),
	*("funnel", "new", "delete", "nothing"),
)
OPEN_NEXT = {"Inquiry": ("Proposal", "Lost"), "Proposal": ("Inquiry", "Contract", "Lost")}


def _totals_sql(sql: str) -> bool:
	return forecast_totals.TOTALS in sql


class TestForecastTotals(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = frappe.defaults.get_defaults().get("company")
		cls.company_b = other_company(cls.company)
		cls.owners = [
			make_user("funnel-forecast-1@example.test", "Sales User"),
			make_user("funnel-forecast-2@example.test", "Sales User"),
		]
		cls.source = ensure_lead_source()
		cls.source_b = ensure_lead_source("Funnel Test Source B")
		cls.territories = frappe.get_all("Territory", pluck="name", limit=2, order_by="name")
		cls.lost_reason = ensure_lost_reason()

	def setUp(self):
		self.funnel = make_funnel(stages=[dict(s) for s in STAGES]).name
		self.other_funnel = make_funnel(stages=[dict(s) for s in STAGES]).name

	def move(self, name: str, stage: str, funnel: str | None = None):
		extra = {"lost_reasons": [self.lost_reason]} if stage == "Lost" else {}
		return move_card("Opportunity", name, stage, funnel=funnel, **extra)

	def assertTotalsExact(self, what: str):
		for funnel in (self.funnel, self.other_funnel):
			for level in forecast_totals.LEVELS:
				self.assertEqual(
					forecast_totals.stored(funnel, level),
					forecast_totals.recompute(funnel, level),
					f"level {level} of {funnel} after {what}",
				)

	def new_card(self, rng, funnel=None):
		values = dict(
			funnel=funnel or self.funnel,
			company=rng.choice((self.company, self.company_b)),
			opportunity_amount=rng.choice(AMOUNTS),
			expected_closing=rng.choice(CLOSES),
			opportunity_owner=rng.choice(self.owners),
			source=rng.choice((None, self.source, self.source_b)),
		)
		if self.territories:
			values["territory"] = rng.choice(self.territories)
		return make_opportunity(**values)

	# --- the property ---------------------------------------------------------------------

	def test_totals_equal_a_recomputation_after_a_random_sequence_of_writes(self):
		for seed in (19, 20, 21):
			with self.subTest(seed=seed):
				self.random_walk(random.Random(seed), steps=30)

	def random_walk(self, rng, steps: int):
		cards = [self.new_card(rng) for _ in range(3)]
		self.assertTotalsExact("creating cards")
		for step in range(steps):
			if not cards:
				cards.append(self.new_card(rng))
			card = frappe.get_doc("Opportunity", rng.choice(cards).name)
			action = rng.choice(ACTIONS)
			if action == "move":
				targets = OPEN_NEXT.get(card.funnel_stage)
				if not targets:
					continue  # won or lost: stays closed
				self.move(card.name, rng.choice(targets))
			elif action == "funnel":
				other = self.other_funnel if card.funnel == self.funnel else self.funnel
				self.move(card.name, rng.choice(("Inquiry", "Proposal", "Lost")), funnel=other)
			elif action == "new":
				cards.append(self.new_card(rng, funnel=rng.choice((self.funnel, self.other_funnel))))
			elif action == "delete":
				frappe.delete_doc("Opportunity", card.name)
				cards = [c for c in cards if c.name != card.name]
			elif action == "nothing":
				card.save()
			else:
				field, values = {
					"amount": ("opportunity_amount", AMOUNTS),
					"close": ("expected_closing", CLOSES),
					"owner": ("opportunity_owner", self.owners),
					"company": ("company", (self.company, self.company_b)),
					"source": ("source", (None, self.source, self.source_b)),
					"territory": ("territory", self.territories or [None]),
				}[action]
				card.set(field, rng.choice(values))
				card.save()
			self.assertTotalsExact(f"step {step}: {action} of {card.name}")
		self.assertTrue(forecast_totals.recompute(), "some cards are open")

	def test_stage_renames_kind_changes_and_card_type_rebuilds_keep_them_exact(self):
		rng = random.Random(5)
		cards = [self.new_card(rng) for _ in range(5)]
		for card in cards[:3]:
			move_card("Opportunity", card.name, "Proposal")
		# a stage renamed: the current-stage rows follow it by SQL, the totals with them
		funnel = frappe.get_doc("Funnel", self.funnel)
		funnel.stages[1].stage_name = "Offer"
		funnel.save()
		self.assertTotalsExact("renaming a stage")
		self.assertIn("offer", {key[2] for key in forecast_totals.stored(self.funnel)})
		self.assertNotIn("proposal", {key[2] for key in forecast_totals.stored(self.funnel)})
		# a stage that becomes final: its cards leave the open totals
		funnel.reload()
		funnel.stages[1].stage_type = "Won"
		funnel.save()
		self.assertTotalsExact("changing a stage's kind")
		self.assertNotIn("offer", {key[2] for key in forecast_totals.stored(self.funnel)})
		# the current-stage table rebuilt from the cards (one funnel)
		rebuild_card_state(self.funnel)
		self.assertTotalsExact("rebuilding the current-stage table")

	def test_a_rebuild_repairs_totals_that_drifted_and_drops_empty_rows(self):
		rng = random.Random(7)
		card = self.new_card(rng)
		for _ in range(2):
			self.new_card(rng)
		self.move(card.name, "Lost")  # leaves rows at zero behind
		frappe.db.sql(
			f"update `tab{forecast_totals.TOTALS}` set cards = cards + 5 where funnel = %s", self.funnel
		)
		self.assertNotEqual(forecast_totals.stored(self.funnel), forecast_totals.recompute(self.funnel))
		counts = rebuild(self.funnel)
		self.assertGreater(counts["forecast_totals"], 0)
		self.assertTotalsExact("a rebuild")
		self.assertFalse(
			frappe.db.exists(forecast_totals.TOTALS, {"funnel": self.funnel, "cards": 0}), "no row at zero"
		)
		# the System Manager's method does the same; a Sales Manager may not call it
		frappe.db.sql(f"update `tab{forecast_totals.TOTALS}` set amount = 1 where funnel = %s", self.funnel)
		manager = make_user("funnel-forecast-manager@example.test", "Sales Manager", "Sales User")
		with self.set_user(manager), self.assertRaises(frappe.PermissionError):
			rebuild_forecast_totals(self.funnel)
		admin = make_user("funnel-forecast-sysman@example.test", "System Manager")
		with self.set_user(admin):
			self.assertGreater(rebuild_forecast_totals(self.funnel)["rows"], 0)
			with self.assertRaises(frappe.DoesNotExistError):
				rebuild_forecast_totals("No such funnel")
		self.assertTotalsExact("the System Manager's rebuild")

	def test_install_and_migrate_build_missing_totals(self):
		rng = random.Random(11)
		self.new_card(rng)
		frappe.db.delete(forecast_totals.TOTALS)
		self.assertTrue(forecast_totals.rebuild_if_missing())
		self.assertTotalsExact("building missing totals")
		self.assertFalse(forecast_totals.rebuild_if_missing(), "present: nothing rebuilt")

	# --- what a move costs ------------------------------------------------------------------

	def test_a_move_sends_one_statement_for_the_totals_and_a_save_without_changes_none(self):
		card = self.new_card(random.Random(1))
		move_card("Opportunity", card.name, "Proposal")  # warm caches
		move = [
			q
			for q in executed_queries(lambda: move_card("Opportunity", card.name, "Inquiry"))
			if _totals_sql(q)
		]
		self.assertEqual(len(move), 1, move)
		self.assertTrue(move[0].lower().startswith("insert into"))
		doc = frappe.get_doc("Opportunity", card.name)
		doc.title = "Only the title changed"
		self.assertEqual([q for q in executed_queries(doc.save) if _totals_sql(q)], [])
		doc = frappe.get_doc("Opportunity", card.name)
		doc.opportunity_amount = 4321
		self.assertEqual(len([q for q in executed_queries(doc.save) if _totals_sql(q)]), 1)
		self.assertTotalsExact("a move and two saves")

	# --- the report -------------------------------------------------------------------------

	def seed_report_cards(self):
		rng = random.Random(3)
		cards = [self.new_card(rng) for _ in range(12)]
		for card in cards[:6]:
			move_card("Opportunity", card.name, "Proposal")
		move_card("Opportunity", cards[0].name, "Contract")
		return cards

	def combos(self):
		territory = self.territories[0] if self.territories else None
		return [
			{},
			{"company": self.company},
			{"card_owner": self.owners[0]},
			{"company": self.company_b, "card_owner": self.owners[1]},
			{"source": self.source},
			{"territory": territory},
			{"source": self.source_b, "territory": territory, "company": self.company},
			{"from_date": "2026-03-01", "to_date": "2026-03-31"},
			{"from_date": "2026-04-01"},
			{"to_date": "2026-04-30", "company": self.company},
			# close dates that cut a month: whole months from the totals, the edges from the cards
			{"from_date": "2026-03-10"},
			{"to_date": "2026-05-10"},
			{"from_date": "2026-03-16", "to_date": "2026-05-19"},
			{"from_date": "2026-03-15", "to_date": "2026-03-15"},
			{"from_date": "2026-03-20", "to_date": "2026-03-31", "source": self.source},
			{"from_date": "2026-05-01", "to_date": "2026-03-31"},
		]

	def rows(self, rows) -> list[tuple]:
		return sorted(
			(r[0], r[1], r[2] or "", r[3] or "", int(r[4]), round(float(r[5] or 0), 6)) for r in rows
		)

	def assertSameAsExact(self, funnel: str | None, expected_path: str):
		for filters in self.combos():
			with self.subTest(filters=filters, funnel=funnel):
				f = reports.parse_filters({"funnel": funnel, **filters}, need_funnel=False, need_period=False)
				rows, path = reports.forecast_rows(f)
				self.assertEqual(self.rows(rows), self.rows(reports._forecast_from_cards(f)))
				start, end = filters.get("from_date"), filters.get("to_date")
				cut = bool(start and reports.getdate(start).day != 1) or bool(
					end and reports.getdate(end) != reports.getdate(reports.get_last_day(end))
				)
				if expected_path == reports.EXACT_PATH:
					self.assertEqual(path, reports.EXACT_PATH)
				else:
					self.assertEqual(path, reports.MIXED_PATH if cut else reports.TOTALS_PATH)

	def test_the_report_answers_the_same_from_the_totals_and_from_the_cards(self):
		self.seed_report_cards()
		self.assertTrue(forecast_totals.recompute(self.funnel))
		self.assertSameAsExact(self.funnel, reports.TOTALS_PATH)
		self.assertSameAsExact(None, reports.TOTALS_PATH)

	def forecast(self, **filters):
		_columns, data, _msg, _chart, summary = reports.forecast_report({"funnel": self.funnel, **filters})
		return data, {s["label"]: s["value"] for s in summary}

	def test_a_sales_manager_sees_the_same_figures_as_counting_the_cards(self):
		self.seed_report_cards()
		manager = make_user("funnel-forecast-manager@example.test", "Sales Manager", "Sales User")
		with self.set_user(manager):
			self.assertSameAsExact(self.funnel, reports.TOTALS_PATH)
			data, summary = self.forecast()
		self.assertEqual(summary["Counted from"], "running totals (kept with every move)")
		open_cards = frappe.get_all(
			"Opportunity",
			filters={"funnel": self.funnel, "funnel_stage": ("in", ("Inquiry", "Proposal"))},
			fields=["opportunity_amount", "funnel_stage"],
		)
		self.assertEqual(summary["Open cards"], len(open_cards))
		self.assertAlmostEqual(summary["Open amount"], sum(c.opportunity_amount for c in open_cards), 2)
		self.assertEqual(sum(r["cards"] for r in data), len(open_cards))

	def test_a_sales_user_limited_to_a_company_reads_the_totals_within_it(self):
		self.seed_report_cards()
		user = make_user("funnel-forecast-company@example.test", "Sales User")
		if not frappe.db.exists("User Permission", {"user": user, "allow": "Company"}):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": user,
					"allow": "Company",
					"for_value": self.company,
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		with self.set_user(user):
			self.assertSameAsExact(self.funnel, reports.TOTALS_PATH)
			_data, summary = self.forecast()
		self.assertEqual(
			summary["Open cards"],
			frappe.db.count(
				"Opportunity",
				{
					"funnel": self.funnel,
					"funnel_stage": ("in", ("Inquiry", "Proposal")),
					"company": self.company,
				},
			),
		)

	def test_a_sales_user_limited_to_some_cards_gets_the_exact_path(self):
		cards = self.seed_report_cards()
		user = make_user("funnel-forecast-limited@example.test", "Sales User")
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": "Opportunity",
				"for_value": cards[1].name,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
		with self.set_user(user):
			self.assertSameAsExact(self.funnel, reports.EXACT_PATH)
			_data, summary = self.forecast()
		self.assertEqual(summary["Counted from"], "the open cards one by one (exact path)")
		self.assertEqual(summary["Open cards"], 1)
		_data, summary = self.forecast(from_date="2026-03-10", to_date="2026-04-30")
		self.assertEqual(
			summary["Counted from"],
			"running totals for whole months, the open cards one by one for part-months",
		)
