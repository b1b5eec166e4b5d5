"""The four warranty reports on real claims, run by a support agent; a User Permission on Company
limits what they count."""

from __future__ import annotations

import frappe
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, nowdate

from funnel_suite.api import answer_warranty_question, move_card
from funnel_suite.funnel_warranty import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user, other_company

LIMITED = "fs-warranty-limited@example.com"  # Maintenance User, User Permission: Company = other


class TestWarrantyReports(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		cls.company = h.company()
		cls.other = other_company(cls.company)
		make_user(LIMITED, "Maintenance User")
		if not frappe.db.exists(
			"User Permission", {"user": LIMITED, "allow": "Company", "for_value": cls.other}
		):
			frappe.get_doc(
				{"doctype": "User Permission", "user": LIMITED, "allow": "Company", "for_value": cls.other}
			).insert(ignore_permissions=True)
		cls.customer = h.make_customer()
		cls.item = h.make_item()
		frappe.set_user(h.SUPPORT)
		serial = h.make_serial(cls.item, -5)  # past warranty, claimed twice
		cls.paid = [h.make_claim(cls.customer, serial=serial, item=cls.item) for _ in range(2)]
		cls.repair = h.make_claim(cls.customer, serial=h.make_serial(cls.item, 100), item=cls.item)
		answer_warranty_question(cls.repair.name, "Defect confirmed?", "Confirmed")
		answer_warranty_question(cls.repair.name, "Repairable?", "Repairable")
		move_card("Warranty Claim", cls.paid[0].name, "Declined")
		frappe.set_user("Administrator")

	def tearDown(self):
		frappe.set_user("Administrator")

	def run_as(self, user, report, **filters):
		frappe.set_user(user)
		result = run_report(
			report,
			filters={
				"company": self.company,
				"from_date": add_days(nowdate(), -1),
				"to_date": nowdate(),
				**filters,
			},
		)
		return result

	def test_claims_by_branch(self):
		result = self.run_as(h.SUPPORT, "Warranty Claims by Branch")
		rows = {(r["branch"], r["outcome"]): (r["claims"], r["closed"]) for r in result["result"]}
		self.assertGreaterEqual(rows[("Paid repair", "Paid repair offer")][0], 2)
		self.assertGreaterEqual(rows[("Paid repair", "Paid repair offer")][1], 1)
		self.assertGreaterEqual(rows[("Warranty repair", "Repair")][0], 1)
		self.assertTrue(result["chart"]["data"]["labels"])

	def test_time_to_resolution_from_the_move_log(self):
		result = self.run_as(h.SUPPORT, "Warranty Time to Resolution")
		paid = next(r for r in result["result"] if r["branch"] == "Paid repair")
		self.assertGreaterEqual(paid["resolved"], 1)
		self.assertGreaterEqual(paid["median_days"], 0)

	def test_repeat_claims_per_serial_and_item(self):
		result = self.run_as(h.SUPPORT, "Warranty Repeat Claims")
		serials = {r["serial_no"]: r["claims"] for r in result["result"]}
		self.assertEqual(serials.get(self.paid[0].serial_no), 2)
		self.assertNotIn(self.repair.serial_no, serials)
		by_item = self.run_as(h.SUPPORT, "Warranty Repeat Claims", group_by="Item", min_claims=3)
		self.assertEqual({r["item_code"]: r["claims"] for r in by_item["result"]}.get(self.item), 3)
		with self.assertRaises(frappe.ValidationError):
			self.run_as(h.SUPPORT, "Warranty Repeat Claims", group_by="Customer")
		frappe.local.message_log = []

	def test_cost_per_branch_counts_visits(self):
		from erpnext.support.doctype.warranty_claim.warranty_claim import make_maintenance_visit

		frappe.set_user(h.SUPPORT)
		visit = make_maintenance_visit(self.repair.name)
		visit.mntc_date = nowdate()
		visit.completion_status = "Partially Completed"
		visit.maintenance_type = "Unscheduled"
		for row in visit.purposes:
			row.work_done = "Diagnosed"
		visit.flags.ignore_mandatory = True
		visit.insert()
		result = self.run_as(h.SUPPORT, "Warranty Cost per Branch")
		repair = next(r for r in result["result"] if r["branch"] == "Warranty repair")
		self.assertGreaterEqual(repair["visits"], 1)
		self.assertEqual(repair["total_cost"], repair["parts_cost"] + repair["refunds"])

	def test_a_user_limited_to_another_company_sees_none_of_these_claims(self):
		result = self.run_as(
			LIMITED, "Warranty Repeat Claims", company=self.other, group_by="Item", min_claims=1
		)
		self.assertNotIn(self.item, {r["item_code"] for r in result["result"]})
		# asking for the test company (not theirs) shows nothing of it
		self.assertEqual(self.run_as(LIMITED, "Warranty Claims by Branch")["result"], [])
		self.assertEqual(self.run_as(LIMITED, "Warranty Cost per Branch")["result"], [])

	def test_others_cannot_run_the_reports(self):
		with self.assertRaises(frappe.PermissionError):
			self.run_as(h.SALES, "Warranty Cost per Branch")
		frappe.local.message_log = []
