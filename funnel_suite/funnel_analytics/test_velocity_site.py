"""Stage Velocity histograms on the real site: after random moves the histogram rows equal a
recount of the move log (and a rebuild), the percentiles read from them lie within the stated
bound of the exact ones for random periods and filters, a move writes them with one statement,
and the report says which path it took — as a Sales Manager, and exactly for a Sales User whose
access the histograms cannot express."""

from __future__ import annotations

import datetime as dt
import random
from unittest.mock import patch

import frappe

from funnel_suite.api import move_card
from funnel_suite.funnel_analytics import reports, velocity_buckets
from funnel_suite.funnel_analytics.reports import Filters, _exits_exact, _exits_from_histograms
from funnel_suite.funnel_analytics.scope import scope_for
from funnel_suite.funnel_analytics.velocity_buckets import TABLE, histograms_for, rebuild_velocity
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lost_reason,
	executed_queries,
	make_funnel,
	make_opportunity,
	make_user,
	other_company,
)

T0 = dt.datetime(2026, 1, 20, 9, 0)
STAGES = [
	{"stage_name": "Inquiry", "stage_type": "Open", "probability": 10},
	{"stage_name": "Proposal", "stage_type": "Open", "probability": 40},
	{"stage_name": "Negotiation", "stage_type": "Open", "probability": 70},
	{"stage_name": "Won", "stage_type": "Won", "probability": 100},
	{"stage_name": "Lost", "stage_type": "Lost"},
]
MANAGER = "fs-velocity-manager@example.test"
OWNERS = ("fs-velocity-owner-a@example.test", "fs-velocity-owner-b@example.test")
FORCE_HISTOGRAMS = patch.object(velocity_buckets, "EXACT_LIMIT", -1)
FORCE_EXACT = patch.object(velocity_buckets, "EXACT_LIMIT", 10**9)


class TestVelocityHistograms(FunnelTestCase):
	"""14 deals of two companies and two owners walked at random through a funnel from
	2026-01-20 over about two months: a move after a random time from seconds to 20 days, into
	the next stage, a skip ahead, a step back or a loss. One more deal is deleted at the end."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = frappe.defaults.get_defaults().get("company")
		cls.company_b = other_company(cls.company)
		for owner in OWNERS:
			make_user(owner, "Sales User")
		make_user(MANAGER, "Sales Manager")
		cls.funnel = make_funnel(stages=STAGES).name
		cls.cards = []

	def setUp(self):
		if self.cards:
			return
		cls = self.__class__
		rng = random.Random(19)
		events = []
		for index in range(15):
			start = T0 + dt.timedelta(seconds=rng.uniform(0, 20 * 86400))
			when, stage, path = start, 0, []
			while stage < 3 and len(path) < 6:
				when += dt.timedelta(
					seconds=rng.choice(
						[rng.uniform(0, 60), rng.uniform(60, 86400), rng.uniform(1, 20) * 86400]
					)
				)
				stage = rng.choice([max(stage - 1, 0), stage + 1, stage + 1, stage + 2, 4])
				path.append((when, STAGES[min(stage, 4)]["stage_name"]))
			events.append((start, index, None))
			events += [(moment, index, name) for moment, name in path]
		cards: dict[int, str] = {}
		reason = ensure_lost_reason()
		for moment, index, stage in sorted(events, key=lambda e: (e[0], e[1])):
			with self.freeze_time(moment):
				if stage is None:
					cards[index] = make_opportunity(
						funnel=cls.funnel,
						company=(cls.company, cls.company_b)[index % 2],
						opportunity_owner=OWNERS[index % 3 % 2],
					).name
				elif frappe.db.get_value("Opportunity", cards[index], "funnel_stage") != stage:
					move_card(
						"Opportunity", cards[index], stage, lost_reasons=[reason] if stage == "Lost" else None
					)
		cls.cards = [cards[i] for i in sorted(cards)]
		frappe.delete_doc("Opportunity", cls.cards.pop())  # its moves leave the histograms

	# --- the table against the log ---------------------------------------------------------

	def table(self) -> dict[str, tuple]:
		return {
			name: (exits, seconds)
			for name, exits, seconds in frappe.db.sql(
				f"select name, exits, seconds from `tab{TABLE}` where funnel = %s", self.funnel
			)
		}

	def recount(self) -> dict[str, tuple]:
		log = frappe.get_all(
			"Funnel Transition",
			filters={"funnel": self.funnel},
			fields=list(velocity_buckets.iter_log.__globals__["LOG_FIELDS"]),
			order_by="name asc",
		)
		return {name: (cell[2], cell[3]) for name, cell in velocity_buckets._cells(log).items()}

	def test_histograms_equal_a_recount_of_the_move_log(self):
		live = self.table()
		self.assertGreater(len(live), 40)
		self.assertEqual(live, self.recount())
		self.assertTrue(all(exits > 0 for exits, _s in live.values()))
		# every move out of a stage in 8 rows (2 grains x company, owner, source, territory)
		exits = frappe.db.count("Funnel Transition", {"funnel": self.funnel, "from_stage": ("is", "set")})
		self.assertEqual(sum(e for e, _s in live.values()), 8 * exits)

	def test_rebuild_equals_the_live_updates(self):
		live = self.table()
		self.assertEqual(rebuild_velocity(self.funnel), len(live))
		self.assertEqual(self.table(), live)
		rebuild_velocity()
		self.assertEqual(self.table(), live)

	# --- percentiles -----------------------------------------------------------------------

	def both_paths(self, f: Filters, scope) -> tuple[dict, dict]:
		found = histograms_for(f, scope)
		self.assertIsNotNone(found)
		return _exits_from_histograms(found[0]), _exits_exact(f, scope)

	def assert_within_bound(self, f: Filters, scope) -> int:
		estimated, exact = self.both_paths(f, scope)
		self.assertEqual(set(estimated), set(exact), f)
		for stage, (count, mean, median, p90, median_error, p90_error) in estimated.items():
			exact_count, exact_mean, exact_median, exact_p90 = exact[stage]
			self.assertEqual(count, exact_count, (f, stage))
			self.assertAlmostEqual(mean, float(exact_mean), delta=0.001)
			self.assertLessEqual(abs(median - float(exact_median)), median_error + 1e-6, (f, stage))
			self.assertLessEqual(abs(p90 - float(exact_p90)), p90_error + 1e-6, (f, stage))
		return sum(e[0] for e in estimated.values())

	def test_histogram_percentiles_lie_within_the_bound_of_the_exact_ones(self):
		rng = random.Random(7)
		scope = scope_for("Opportunity")
		checked = 0
		for _round in range(25):
			start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 70))
			end = start + dt.timedelta(days=rng.randint(0, 75))
			dims = rng.choice(
				[
					{},
					{"company": self.company_b},
					{"card_owner": OWNERS[0]},
					{"company": self.company, "card_owner": OWNERS[1]},
				]
			)
			f = Filters(self.funnel, "Opportunity", start, end, **dims)
			checked += self.assert_within_bound(f, scope)
		self.assertGreater(checked, 50)  # the periods held moves, not only empty answers

	# --- the move ----------------------------------------------------------------------------

	def test_a_move_writes_the_histograms_with_one_statement(self):
		card = make_opportunity(funnel=self.funnel)
		queries = executed_queries(lambda: move_card("Opportunity", card.name, "Proposal"))
		self.assertEqual(len([q for q in queries if TABLE in q]), 1, queries)
		# a card entering its first stage leaves none: nothing to count
		queries = executed_queries(lambda: make_opportunity(funnel=self.funnel))
		self.assertEqual([q for q in queries if TABLE in q], [])

	# --- the report as its users see it ----------------------------------------------------

	def run_report(self, **filters):
		columns, data, message, _chart, summary = reports.velocity_report(
			{"funnel": self.funnel, "from_date": "2026-01-01", "to_date": "2026-03-31", **filters}
		)
		return columns, {r["stage"]: r for r in data}, message, {s["label"]: s["value"] for s in summary}

	def test_sales_manager_reads_the_histograms_with_their_bound(self):
		with self.set_user(MANAGER):
			with FORCE_HISTOGRAMS:
				columns, rows, message, summary = self.run_report()
				with self.assertQueryCount(2):  # the histograms and the cards now in each stage
					reports.velocity_report(
						{"funnel": self.funnel, "from_date": "2026-01-01", "to_date": "2026-03-31"}
					)
			with FORCE_EXACT:
				_c, exact_rows, exact_message, exact_summary = self.run_report()
		self.assertIn("p90_error_days", [c["fieldname"] for c in columns])
		self.assertTrue(summary["Computed from"].startswith("duration histograms"), summary)
		self.assertIn("±", message)
		self.assertTrue(exact_summary["Computed from"].startswith("the move log, exact"), exact_summary)
		self.assertNotIn("±", exact_message)
		for stage, row in rows.items():
			exact = exact_rows[stage]
			self.assertEqual(row["exits"], exact["exits"])
			self.assertEqual(row["cards_now"], exact["cards_now"])
			if row["exits"]:
				# both are rounded to 0.01 day for display
				self.assertLessEqual(
					abs(row["median_days"] - exact["median_days"]), row["median_error_days"] + 0.01
				)
				self.assertLessEqual(abs(row["p90_days"] - exact["p90_days"]), row["p90_error_days"] + 0.01)
		self.assertGreater(sum(r["exits"] for r in rows.values()), 20)

	def test_small_periods_are_exact(self):
		with self.set_user(MANAGER):
			_c, rows, _m, summary = self.run_report()
		# the fixture's few dozen moves are far below the limit: the log answers
		self.assertTrue(summary["Computed from"].startswith("the move log, exact"), summary)
		self.assertNotIn("median_error_days", next(iter(rows.values())))

	def test_sales_user_limited_to_a_company_gets_its_histograms(self):
		user = "fs-velocity-company@example.test"
		make_user(user, "Sales User")
		if not frappe.db.exists("User Permission", {"user": user, "allow": "Company"}):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": user,
					"allow": "Company",
					"for_value": self.company_b,
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		with self.set_user(user), FORCE_HISTOGRAMS:
			scope = scope_for("Opportunity")
			self.assertEqual(set(scope.dims), {"company"})
			_c, rows, _m, summary = self.run_report()
			self.assertTrue(summary["Computed from"].startswith("duration histograms"))
			f = Filters(self.funnel, "Opportunity", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
			self.assert_within_bound(f, scope)
		with self.set_user(MANAGER), FORCE_HISTOGRAMS:
			_c, company_rows, _m, _s = self.run_report(company=self.company_b)
		self.assertEqual(
			{s: r["exits"] for s, r in rows.items()}, {s: r["exits"] for s, r in company_rows.items()}
		)

	def test_sales_user_with_card_permissions_gets_the_exact_path(self):
		user = "fs-velocity-cards@example.test"
		make_user(user, "Sales User")
		mine = self.cards[:3]
		for name in mine:
			if not frappe.db.exists("User Permission", {"user": user, "for_value": name}):
				frappe.get_doc(
					{
						"doctype": "User Permission",
						"user": user,
						"allow": "Opportunity",
						"for_value": name,
						"apply_to_all_doctypes": 1,
					}
				).insert(ignore_permissions=True)
		with self.set_user(user), FORCE_HISTOGRAMS:
			self.assertTrue(scope_for("Opportunity").exact)
			_c, rows, message, summary = self.run_report()
		self.assertIn("card by card", summary["Computed from"])
		self.assertNotIn("±", message)
		expected = frappe.db.count(
			"Funnel Transition",
			{"reference_name": ("in", mine), "from_stage": ("is", "set"), "funnel": self.funnel},
		)
		self.assertEqual(sum(r["exits"] for r in rows.values()), expected)

	def test_filters_on_two_of_owner_source_territory_are_exact(self):
		with self.set_user(MANAGER), FORCE_HISTOGRAMS:
			_c, _rows, _m, summary = self.run_report(card_owner=OWNERS[0], territory="All Territories")
		self.assertIn("one of owner, source and territory", summary["Computed from"])

	def test_a_user_who_cannot_read_deals_is_refused(self):
		user = make_user("fs-velocity-accounts@example.test", "Accounts User")
		with self.set_user(user), self.assertRaises(frappe.PermissionError):
			self.run_report()

	def test_filter_values_are_parameters(self):
		with self.set_user(MANAGER), FORCE_HISTOGRAMS:
			_c, rows, _m, _s = self.run_report(card_owner="x' or '1'='1", company="') or 1=1 -- ")
		self.assertEqual(sum(r["exits"] for r in rows.values()), 0)
