"""Funnel analytics on the real site: exact figures on known data, the permission scopes, the
rebuild against the live updates, and the query counts of the reports."""

from __future__ import annotations

import datetime as dt

import frappe
from frappe.utils import add_days, getdate, now_datetime

from funnel_suite.api import move_card
from funnel_suite.funnel_analytics import reports
from funnel_suite.funnel_analytics.scope import scope_for
from funnel_suite.funnel_analytics.summary import (
	STATE,
	SUMMARY,
	rebuild,
	rebuild_card_state,
	rebuild_summary,
	state_name,
)
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lost_reason,
	executed_queries,
	make_funnel,
	make_opportunity,
	make_user,
	other_company,
)

T0 = dt.datetime(2026, 1, 5, 9, 0)
PERIOD = {"from_date": "2026-01-01", "to_date": "2026-01-31"}
STAGES = [
	{"stage_name": "Inquiry", "stage_type": "Open", "probability": 10, "stale_after_days": 3},
	{"stage_name": "Proposal", "stage_type": "Open", "probability": 50, "stale_after_days": 5},
	{"stage_name": "Contract", "stage_type": "Won", "probability": 100},
	{"stage_name": "Lost", "stage_type": "Lost"},
]


class TestFunnelAnalytics(FunnelTestCase):
	"""Five deals walked through a funnel in January 2026 (days after T0):

	c1  A  100  Inquiry 0 -> Proposal 1 -> Contract (won) 3
	c2  A  200  Inquiry 0 -> Proposal 2 -> Lost 7
	c3  A  300  Inquiry 1 -> Lost 5
	c4  A  400  Inquiry 0, still there (closes 2026-03-15)
	c5  B 1000  Inquiry 0 -> Proposal 4, still there (closes 2026-04-10)
	"""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = frappe.defaults.get_defaults().get("company")
		cls.company_b = other_company(cls.company)
		cls.funnel = make_funnel(stages=STAGES).name

	def setUp(self):
		if getattr(self.__class__, "cards", None):
			return
		c = {}
		plan = [
			("c1", self.company, 100, None, [(0, None), (1, "Proposal"), (3, "Contract")]),
			("c2", self.company, 200, None, [(0, None), (2, "Proposal"), (7, "Lost")]),
			("c3", self.company, 300, None, [(1, None), (5, "Lost")]),
			("c4", self.company, 400, "2026-03-15", [(0, None)]),
			("c5", self.company_b, 1000, "2026-04-10", [(0, None), (4, "Proposal")]),
		]
		events = []
		for key, company, amount, closing, steps in plan:
			for day, stage in steps:
				events.append((day, key, company, amount, closing, stage))
		for day, key, company, amount, closing, stage in sorted(events, key=lambda e: (e[0], e[1])):
			with self.freeze_time(T0 + dt.timedelta(days=day)):
				if stage is None:
					c[key] = make_opportunity(
						funnel=self.funnel,
						company=company,
						opportunity_amount=amount,
						expected_closing=closing,
					)
				else:
					reasons = [ensure_lost_reason()] if stage == "Lost" else None
					move_card("Opportunity", c[key].name, stage, lost_reasons=reasons)
		self.__class__.cards = c

	def report(self, fn, **filters):
		_columns, data, _message, chart, summary = fn({"funnel": self.funnel, **PERIOD, **filters})
		return data, chart, {s["label"]: s["value"] for s in summary}

	# --- exact figures ---------------------------------------------------------------------

	def test_conversion_figures(self):
		data, chart, summary = self.report(reports.conversion_report)
		rows = {r["stage"]: r for r in data}
		self.assertEqual(
			[(r["stage"], r["entered"], r["advanced"], r["won"], r["lost"]) for r in data],
			[
				("Inquiry", 5, 3, 0, 1),
				("Proposal", 3, 1, 1, 1),
				("Contract", 1, 0, 0, 0),
				("Lost", 2, 0, 0, 0),
			],
		)
		self.assertEqual(rows["Inquiry"]["conversion_to_next"], 60.0)
		self.assertEqual(rows["Proposal"]["conversion_to_next"], 33.33)
		self.assertEqual(rows["Contract"]["conversion_from_entry"], 20.0)
		self.assertEqual(rows["Inquiry"]["entered_amount"], 2000.0)
		self.assertEqual(summary["Overall conversion"], 20.0)
		self.assertEqual(chart["data"]["labels"], ["Inquiry", "Proposal", "Contract"])
		self.assertEqual(chart["data"]["datasets"][0]["values"], [5, 3, 1])

	def test_conversion_of_a_partial_period_and_by_company(self):
		# 2026-01-05 .. 2026-01-06: only the entries of day 0 and the moves of day 1
		data, _chart, _summary = self.report(
			reports.conversion_report, from_date="2026-01-05", to_date="2026-01-06"
		)
		self.assertEqual(
			{r["stage"]: r["entered"] for r in data}, {"Inquiry": 5, "Proposal": 1, "Contract": 0, "Lost": 0}
		)
		data, _chart, _summary = self.report(reports.conversion_report, company=self.company_b)
		self.assertEqual([r["entered"] for r in data], [1, 1, 0, 0])
		# a period that spans whole months and ragged edges gives the same January figures
		data, _chart, _summary = self.report(
			reports.conversion_report, from_date="2025-12-20", to_date="2026-02-10"
		)
		self.assertEqual([r["entered"] for r in data], [5, 3, 1, 2])

	def test_conversion_by_owner(self):
		data, _chart, _summary = self.report(reports.conversion_report, group_by="Owner")
		self.assertEqual({r["group"] for r in data}, {"Administrator"})
		self.assertEqual([r["entered"] for r in data], [5, 3, 1, 2])

	def test_velocity_figures(self):
		data, _chart, summary = self.report(reports.velocity_report)
		rows = {r["stage"]: r for r in data}
		# Inquiry exits after 1, 2, 4 and 4 days; Proposal after 2 and 5 days
		self.assertEqual(rows["Inquiry"]["exits"], 4)
		self.assertEqual(rows["Inquiry"]["mean_days"], 2.75)
		self.assertEqual(rows["Inquiry"]["median_days"], 3.0)
		self.assertEqual(rows["Inquiry"]["p90_days"], 4.0)
		self.assertEqual(rows["Proposal"]["median_days"], 3.5)
		self.assertEqual(rows["Proposal"]["p90_days"], 4.7)
		self.assertEqual(rows["Proposal"]["bottleneck"], 1)
		self.assertEqual(summary["Bottleneck stage"], "Proposal")
		self.assertEqual(rows["Inquiry"]["cards_now"], 1)
		self.assertEqual(rows["Proposal"]["cards_now"], 1)
		age = (now_datetime() - T0).total_seconds() / 86400
		self.assertAlmostEqual(rows["Inquiry"]["oldest_days"], age, delta=0.01)

	def test_forecast_figures(self):
		data, _chart, summary = self.report(reports.forecast_report, from_date=None, to_date=None)
		self.assertEqual(
			[(r["month"], r["cards"], r["amount"], r["weighted_amount"]) for r in data],
			[("2026-03", 1, 400.0, 40.0), ("2026-04", 1, 1000.0, 500.0)],
		)
		self.assertEqual(summary["Weighted forecast"], 540.0)
		data, _chart, _summary = self.report(
			reports.forecast_report, from_date="2026-04-01", to_date="2026-04-30"
		)
		self.assertEqual([r["month"] for r in data], ["2026-04"])

	def test_stale_list_oldest_first(self):
		data, _chart, summary = self.report(reports.stale_report)
		self.assertEqual([r["reference_name"] for r in data], [self.cards["c4"].name, self.cards["c5"].name])
		first = data[0]
		self.assertEqual((first["stage"], first["stale_after_days"]), ("Inquiry", 3))
		self.assertEqual(first["card_owner"], "Administrator")
		self.assertEqual(summary["Stale cards"], 2)
		data, _chart, _summary = self.report(reports.stale_report, limit=1)
		self.assertEqual(len(data), 1)

	# --- permissions -----------------------------------------------------------------------

	def restricted_user(self, email: str, *roles: str) -> str:
		user = make_user(email, *roles)
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
		return user

	def test_a_user_limited_to_one_company_sees_only_its_figures(self):
		user = self.restricted_user("funnel-analytics-a@example.test", "Sales User")
		with self.set_user(user):
			scope = scope_for("Opportunity")
			self.assertFalse(scope.exact)
			self.assertEqual(scope.dims["company"], [self.company, ""])
			data, _chart, _summary = self.report(reports.conversion_report)
			self.assertEqual([r["entered"] for r in data], [4, 2, 1, 2])
			data, _chart, summary = self.report(reports.forecast_report, from_date=None, to_date=None)
			self.assertEqual(summary["Weighted forecast"], 40.0)
			data, _chart, _summary = self.report(reports.stale_report)
			self.assertEqual([r["reference_name"] for r in data], [self.cards["c4"].name])
			data, _chart, _summary = self.report(reports.velocity_report)
			self.assertEqual({r["stage"]: r["exits"] for r in data}["Inquiry"], 3)
			self.assertEqual({r["stage"]: r["cards_now"] for r in data}["Proposal"], 0)

	def test_restrictions_the_summary_cannot_express_use_the_exact_path(self):
		"""A user permission on the cards themselves: the reports join the host's list query and
		count only the cards the user may open."""
		user = make_user("funnel-analytics-b@example.test", "Sales User")
		for key in ("c1", "c4"):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": user,
					"allow": "Opportunity",
					"for_value": self.cards[key].name,
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		with self.set_user(user):
			self.assertTrue(scope_for("Opportunity").exact)
			data, _chart, summary = self.report(reports.conversion_report)
			self.assertEqual(
				[(r["stage"], r["entered"], r["advanced"], r["won"]) for r in data],
				[("Inquiry", 2, 1, 0), ("Proposal", 1, 1, 1), ("Contract", 1, 0, 0), ("Lost", 0, 0, 0)],
			)
			self.assertEqual(summary["Overall conversion"], 50.0)
			data, _chart, _summary = self.report(reports.stale_report)
			self.assertEqual([r["reference_name"] for r in data], [self.cards["c4"].name])
			data, _chart, summary = self.report(reports.forecast_report, from_date=None, to_date=None)
			self.assertEqual(summary["Open cards"], 1)
			data, _chart, _summary = self.report(reports.velocity_report)
			self.assertEqual({r["stage"]: r["median_days"] for r in data}["Inquiry"], 1.0)

	def test_a_user_who_cannot_read_cards_gets_nothing(self):
		user = make_user("funnel-analytics-c@example.test", "Accounts User")
		with self.set_user(user):
			with self.assertRaises(frappe.PermissionError):
				self.report(reports.conversion_report)

	def test_bad_filters_get_clear_messages(self):
		with self.assertRaises(frappe.ValidationError) as ctx:
			reports.conversion_report({"from_date": "2026-01-01", "to_date": "2026-01-31"})
		self.assertIn("Funnel", str(ctx.exception))
		with self.assertRaises(frappe.ValidationError) as ctx:
			self.report(reports.conversion_report, from_date="2026-02-01", to_date="2026-01-01")
		self.assertIn("before From Date", str(ctx.exception))
		with self.assertRaises(frappe.DoesNotExistError):
			reports.conversion_report({"funnel": "No such funnel", **PERIOD})
		with self.assertRaises(frappe.ValidationError) as ctx:
			self.report(reports.conversion_report, group_by="Colour")
		self.assertIn("Group By", str(ctx.exception))
		# a filter value is a parameter, not SQL
		data, _chart, _summary = self.report(reports.conversion_report, company="x' or '1'='1")
		self.assertEqual(sum(r["entered"] for r in data), 0)

	# --- rebuild and query counts ----------------------------------------------------------

	def snapshot(self):
		summary = frappe.db.sql(
			f"""select grain, period, stage, company, card_owner, source, territory, entered,
				round(entered_amount, 2), exited, advanced, won, lost, seconds_out
			from `tab{SUMMARY}` where funnel = %s order by 1, 2, 3, 4, 5, 6, 7""",
			self.funnel,
		)
		states = frappe.db.sql(
			f"""select reference_name, stage, stage_type, stage_since, stale_on, expected_close,
				round(amount, 2), company, card_owner
			from `tab{STATE}` where funnel = %s order by reference_name""",
			self.funnel,
		)
		return summary, states

	def test_rebuild_equals_the_live_updates(self):
		live = self.snapshot()
		self.assertTrue(live[0])
		self.assertEqual(len(live[1]), 5)
		rebuild_summary(self.funnel)
		rebuild_card_state(self.funnel)
		self.assertEqual(self.snapshot(), live)
		counts = rebuild()
		self.assertGreater(counts["summary_rows"], 0)
		self.assertEqual(self.snapshot(), live)

	def test_reports_run_at_most_three_queries(self):
		restricted = self.restricted_user("funnel-analytics-a@example.test", "Sales User")
		cases = [
			(reports.conversion_report, {}),
			(
				reports.conversion_report,
				{"from_date": "2025-11-15", "to_date": "2026-03-02", "group_by": "Source"},
			),
			(reports.velocity_report, {}),
			(reports.stale_report, {}),
			(reports.forecast_report, {}),
		]
		card_limited = make_user("funnel-analytics-d@example.test", "Sales User")
		if not frappe.db.exists("User Permission", {"user": card_limited}):
			frappe.get_doc(
				{
					"doctype": "User Permission",
					"user": card_limited,
					"allow": "Opportunity",
					"for_value": self.cards["c1"].name,
					"apply_to_all_doctypes": 1,
				}
			).insert(ignore_permissions=True)
		for user in ("Administrator", restricted, card_limited):
			with self.set_user(user):
				for fn, extra in cases:
					filters = {"funnel": self.funnel, **PERIOD, **extra}
					fn(filters)  # warm the caches (funnel, meta, user permissions)
					if user == card_limited:
						# the exact path: the host's list query of the user's cards is built with
						# frappe.db.sql(run=0) and runs inside the report's statements; the share
						# lookup is the one extra statement
						queries = executed_queries(lambda fn=fn, filters=filters: fn(filters))
						self.assertLessEqual(len(queries), 3, queries)
					else:
						with self.assertQueryCount(3):
							fn(filters)

	def test_amount_and_owner_changes_follow_into_the_current_stage_table(self):
		card = frappe.get_doc("Opportunity", self.cards["c4"].name)
		manager = make_user("funnel-analytics-owner@example.test", "Sales User")
		card.opportunity_amount = 450
		card.opportunity_owner = manager
		card.save()
		row = frappe.db.get_value(
			STATE, state_name("Opportunity", card.name), ["amount", "card_owner"], as_dict=True
		)
		self.assertEqual((row.amount, row.card_owner), (450.0, manager))
		card.opportunity_amount = 400
		card.opportunity_owner = None
		card.save()
		row = frappe.db.get_value(
			STATE, state_name("Opportunity", card.name), ["amount", "card_owner"], as_dict=True
		)
		self.assertEqual((row.amount, row.card_owner), (400.0, "Administrator"))

	def test_stage_rename_and_stale_limit_follow_into_the_current_stage_table(self):
		funnel = frappe.get_doc("Funnel", self.funnel)
		funnel.stages[0].stage_name = "First call"
		funnel.stages[0].stale_after_days = 10
		funnel.save()
		name = state_name("Opportunity", self.cards["c4"].name)
		row = frappe.db.get_value(STATE, name, ["stage", "stale_on"], as_dict=True)
		self.assertEqual(row.stage, "First call")
		self.assertEqual(row.stale_on, T0 + dt.timedelta(days=10))
		funnel.reload()
		funnel.stages[0].stage_name = "Inquiry"
		funnel.stages[0].stale_after_days = 3
		funnel.save()
		row = frappe.db.get_value(STATE, name, ["stage", "stale_on"], as_dict=True)
		self.assertEqual((row.stage, row.stale_on), ("Inquiry", T0 + dt.timedelta(days=3)))

	def test_summary_tables_are_read_only(self):
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": SUMMARY, "funnel": self.funnel, "grain": "Day", "period": getdate(), "stage": "x"}
			).insert(ignore_permissions=True, set_name="x")
		self.assertFalse(
			frappe.has_permission(
				STATE, "write", user=make_user("funnel-analytics-a@example.test", "Sales User")
			)
		)


class TestNumberCards(FunnelTestCase):
	def test_number_cards_count_what_the_user_may_see(self):
		funnel = make_funnel(stages=STAGES).name
		before_open = reports.open_cards()
		entered, won = reports.month_totals()
		card = make_opportunity(funnel=funnel)
		# the deal and the lead it was made from
		self.assertEqual(reports.open_cards(), before_open + 2)
		card.funnel_stage = "Contract"
		card.save()
		# the deal and its lead entered their funnels' entry stages; the deal was won
		self.assertEqual(reports.month_totals(), (entered + 2, won + 1))
		self.assertEqual(reports.open_cards(), before_open + 1)
		stale_before = reports.stale_cards()
		old = make_opportunity(funnel=funnel)
		frappe.db.set_value("Opportunity", old.name, "funnel_stage_since", add_days(now_datetime(), -30))
		rebuild_card_state(funnel)
		self.assertEqual(reports.stale_cards(), stale_before + 1)


class TestCustomerJourney(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.funnel = make_funnel(stages=STAGES).name
		cls.company = frappe.defaults.get_defaults().get("company")

	def make_customer(self):
		from funnel_suite.tests.utils import make_lead, unique

		lead = make_lead(company_name=unique("Journey Co"))
		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": unique("Journey Customer"),
				"customer_type": "Company",
				"lead_name": lead.name,
			}
		).insert()
		direct = make_opportunity(funnel=self.funnel, opportunity_from="Customer", party_name=customer.name)
		from_lead = make_opportunity(funnel=self.funnel, lead=lead)
		return customer, lead, direct, from_lead

	def test_the_journey_lists_every_card_of_the_customer(self):
		from funnel_suite.api import get_customer_journey

		customer, lead, direct, from_lead = self.make_customer()
		move_card("Opportunity", from_lead.name, "Proposal")
		journey = get_customer_journey(customer.name)
		cards = {(c["doctype"], c["name"]): c for c in journey["cards"]}
		self.assertEqual(
			set(cards), {("Lead", lead.name), ("Opportunity", direct.name), ("Opportunity", from_lead.name)}
		)
		deal = cards[("Opportunity", from_lead.name)]
		self.assertEqual(
			(deal["funnel"], deal["stage"], deal["stage_kind"]), (self.funnel, "Proposal", "Open")
		)
		self.assertEqual(deal["owner"], "Administrator")
		self.assertEqual(deal["days_in_stage"], 0.0)
		self.assertFalse(deal["silent"])
		self.assertEqual(journey["open_cards"], 3)

	def test_silence_warning_after_the_stage_limit_until_a_touch(self):
		from funnel_suite.api import get_customer_journey

		customer, _lead, direct, _from_lead = self.make_customer()
		frappe.db.set_value(
			"Opportunity",
			direct.name,
			"funnel_stage_since",
			add_days(now_datetime(), -10),
			update_modified=False,
		)
		card = next(c for c in get_customer_journey(customer.name)["cards"] if c["name"] == direct.name)
		self.assertTrue(card["silent"])  # Inquiry allows 3 days; nothing happened for 10
		self.assertEqual(card["silent_days"], 10)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Phone",
				"sent_or_received": "Sent",
				"subject": "Call",
				"reference_doctype": "Opportunity",
				"reference_name": direct.name,
				"communication_date": add_days(now_datetime(), -1),
			}
		).insert(ignore_permissions=True)
		journey = get_customer_journey(customer.name)
		card = next(c for c in journey["cards"] if c["name"] == direct.name)
		self.assertFalse(card["silent"])
		self.assertIsNotNone(journey["last_touch"])

	def test_the_journey_shows_only_cards_the_user_may_open(self):
		from funnel_suite.api import get_customer_journey

		customer, _lead, direct, from_lead = self.make_customer()
		user = make_user("funnel-journey@example.test", "Sales User")
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": "Opportunity",
				"for_value": direct.name,
				"apply_to_all_doctypes": 0,
				"applicable_for": "Opportunity",
			}
		).insert(ignore_permissions=True)
		with self.set_user(user):
			names = {c["name"] for c in get_customer_journey(customer.name)["cards"]}
		self.assertIn(direct.name, names)
		self.assertNotIn(from_lead.name, names)
		with self.set_user(make_user("funnel-journey-none@example.test", "Accounts User")):
			with self.assertRaises(frappe.PermissionError):
				get_customer_journey(customer.name)
		with self.assertRaises(frappe.DoesNotExistError):
			get_customer_journey("No such customer")


class TestFunnelsWorkspace(FunnelTestCase):
	def test_the_workspace_and_its_widgets_are_installed(self):
		workspace = frappe.get_doc("Workspace", "Funnels")
		# the module of Funnel, which every role the workspace is for may read (the host shows a
		# workspace only to users whose allowed modules include its module)
		self.assertEqual(workspace.module, "Funnels")
		for card in workspace.number_cards:
			doc = frappe.get_doc("Number Card", card.number_card_name)
			self.assertEqual(doc.type, "Custom")
			self.assertTrue(frappe.get_attr(doc.method))
		for chart in workspace.charts:
			self.assertEqual(frappe.db.get_value("Dashboard Chart", chart.chart_name, "chart_type"), "Custom")
		linked = {link.link_to for link in workspace.links if link.type == "Link"}
		self.assertTrue({"Funnel Conversion", "Stage Velocity", "Stale Cards", "Funnel Forecast"} <= linked)
		for name in linked:
			self.assertTrue(frappe.db.exists("Report", name) or frappe.db.exists("DocType", name), name)

	def test_widgets_answer_for_a_sales_user_and_refuse_others(self):
		from funnel_suite import api

		with self.set_user(make_user("funnel-widgets@example.test", "Sales User")):
			for method in (api.funnel_open_cards, api.funnel_stale_cards, api.funnel_won_this_month):
				self.assertIsInstance(method()["value"], int)
			self.assertIsInstance(api.funnel_conversion_this_month()["value"], int | float)
			chart = api.funnel_stage_counts_chart(chart_name="Funnel Stage Counts")
			self.assertEqual(len(chart["labels"]), len(chart["datasets"][0]["values"]))
			flow = api.funnel_monthly_flow_chart(filters={})
			self.assertEqual(len(flow["labels"]), 12)
		with self.set_user(make_user("funnel-widgets-none@example.test", "Accounts User")):
			with self.assertRaises(frappe.PermissionError):
				api.funnel_open_cards()

	def test_the_head_of_sales_and_sales_users_see_the_workspace_with_its_figures(self):
		import json

		from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items

		for email, role in (
			("funnel-ws-manager@example.test", "Sales Manager"),
			("funnel-ws-user@example.test", "Sales User"),
		):
			with self.subTest(role=role), self.set_user(make_user(email, role)):
				frappe.clear_cache(user=email)
				pages = {p["name"] for p in get_workspace_sidebar_items()["pages"]}
				self.assertIn("Funnels", pages)
				page = get_desktop_page(json.dumps({"name": "Funnels", "title": "Funnels", "public": 1}))
				cards = {c.get("number_card_name") for c in page["number_cards"]["items"]}
				self.assertEqual(
					cards,
					{
						"Open Funnel Cards",
						"Won This Month",
						"Funnel Conversion This Month",
						"Stale Funnel Cards",
					},
				)
				charts = {c.get("chart_name") for c in page["charts"]["items"]}
				self.assertEqual(charts, {"Funnel Stage Counts", "Funnel Monthly Flow"})
				# the widgets' documents load for the user (the desk fetches them before drawing)
				for name in cards:
					self.assertTrue(frappe.has_permission("Number Card", "read", doc=name))
				for name in charts:
					self.assertTrue(frappe.has_permission("Dashboard Chart", "read", doc=name))
				reports = {
					link.get("link_to") for card in page["cards"]["items"] for link in card.get("links")
				}
				self.assertIn("Funnel Conversion", reports)

	def test_a_user_outside_sales_does_not_see_the_workspace(self):
		from frappe.desk.desktop import get_workspace_sidebar_items

		email = make_user("funnel-ws-buyer@example.test", "Purchase User")
		with self.set_user(email):
			frappe.clear_cache(user=email)
			self.assertNotIn("Funnels", {p["name"] for p in get_workspace_sidebar_items()["pages"]})

	def test_a_funnel_manager_who_reads_no_cards_sees_the_workspace_without_the_figures(self):
		"""Funnel Manager configures funnels; the figures count cards, which that role alone cannot
		read: the desk leaves the widgets and the analytics reports out instead of failing on them."""
		import json

		from frappe.desk.desktop import get_desktop_page, get_workspace_sidebar_items

		email = make_user("funnel-ws-funnels@example.test", "Funnel Manager")
		with self.set_user(email):
			frappe.clear_cache(user=email)
			self.assertIn("Funnels", {p["name"] for p in get_workspace_sidebar_items()["pages"]})
			page = get_desktop_page(json.dumps({"name": "Funnels", "title": "Funnels", "public": 1}))
			self.assertEqual(page["number_cards"]["items"], [])
			self.assertEqual(page["charts"]["items"], [])
			links = {link.get("link_to") for card in page["cards"]["items"] for link in card.get("links")}
			self.assertIn("Funnel", links)
			self.assertFalse(
				{"Funnel Conversion", "Stale Cards", "Funnel Forecast", "Stage Velocity"} & links
			)
		email = make_user("funnel-ws-funnels-sales@example.test", "Funnel Manager", "Sales User")
		with self.set_user(email):
			frappe.clear_cache(user=email)
			page = get_desktop_page(json.dumps({"name": "Funnels", "title": "Funnels", "public": 1}))
			self.assertEqual(len(page["number_cards"]["items"]), 4)
			self.assertEqual(len(page["charts"]["items"]), 2)
