"""The production reports on a site, as the foreman: open works by executor, orders late first,
planned against issued; a Manufacturing User limited to another company by a User Permission sees
none of these orders."""

from __future__ import annotations

import frappe
from frappe.desk.query_report import run
from frappe.utils import add_days, nowdate

from funnel_suite.api import move_card
from funnel_suite.funnel_procurement.test_helpers import limit_to_company
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user, other_company

LIMITED = "fs-prod-foreman-other@example.com"


class TestProductionReports(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		make_user(LIMITED, "Manufacturing User")
		limit_to_company(LIMITED, other_company(h.company()))
		cls.item = h.make_item()
		h.receive(cls.item, 50)
		frappe.set_user(h.FOREMAN)
		cls.late = h.make_order(
			due_date=add_days(nowdate(), -3),
			materials=[(cls.item, 4)],
			works=[("Cut", "Materials issued", h.EXECUTOR), ("Glue", "Materials issued", h.FOREMAN)],
		)
		cls.on_time = h.make_order(
			due_date=add_days(nowdate(), 30), works=[("Paint", "Cutting done", h.EXECUTOR)]
		)
		move_card("Production Order", cls.late.name, "Materials issued")
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def report(self, name, **filters):
		result = run(name, filters={"company": h.company(), **filters})
		return result["result"], result.get("chart")

	def test_work_in_progress_by_executor(self):
		frappe.set_user(h.FOREMAN)
		rows, chart = self.report("Work in Progress by Executor", executor=h.EXECUTOR)
		mine = {(r["production_order"], r["work"]): r for r in rows}
		self.assertEqual(mine[(self.late.name, "Cut")]["days_late"], 3)
		self.assertEqual(mine[(self.on_time.name, "Paint")]["days_late"], 0)
		self.assertNotIn((self.late.name, "Glue"), mine)
		self.assertIn(h.EXECUTOR, chart["data"]["labels"])

	def test_orders_by_stage_and_due_date_late_first(self):
		frappe.set_user(h.FOREMAN)
		rows, chart = self.report("Production Orders by Stage and Due Date")
		names = [r["production_order"] for r in rows]
		self.assertLess(names.index(self.late.name), names.index(self.on_time.name))
		late = rows[names.index(self.late.name)]
		self.assertEqual((late["stage"], late["days_late"], late["open_works"]), ("Materials issued", 3, 2))
		self.assertTrue(chart["data"]["labels"])

	def test_material_consumption_vs_plan(self):
		frappe.set_user(h.FOREMAN)
		rows, _chart = self.report("Material Consumption vs Plan", item_code=self.item)
		row = next(r for r in rows if r["production_order"] == self.late.name)
		self.assertEqual((row["planned_qty"], row["issued_qty"], row["issued_percent"]), (4, 4, 100))

	def test_a_user_limited_to_another_company_sees_none_of_these_orders(self):
		frappe.set_user(LIMITED)
		for report in (
			"Work in Progress by Executor",
			"Production Orders by Stage and Due Date",
			"Material Consumption vs Plan",
		):
			rows, _chart = self.report(report, company=None)
			found = {r.get("production_order") for r in rows}
			self.assertFalse(found & {self.late.name, self.on_time.name}, report)

	def test_a_user_without_a_role_on_orders_is_refused(self):
		frappe.set_user(h.OUTSIDER)
		self.assertRaises(frappe.PermissionError, run, "Production Orders by Stage and Due Date", filters={})
