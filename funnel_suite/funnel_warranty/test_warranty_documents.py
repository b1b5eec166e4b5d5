"""ERPNext's documents of a claim's branches: the repair's Maintenance Visit (ERPNext's mapper), parts
through a Stock Entry, a refund as a Sales Invoice return; each linked to the claim and in its
connections."""

from __future__ import annotations

import frappe

from funnel_suite.api import answer_warranty_question, make_warranty_credit_note, make_warranty_stock_entry
from funnel_suite.funnel_warranty import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user

STOREKEEPER = "fs-warranty-store@example.com"  # Maintenance User + Stock User: issues the parts
STOCK_ONLY = "fs-warranty-stock-only@example.com"  # Stock User: no business with claims


class TestWarrantyDocuments(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		make_user(STOREKEEPER, "Maintenance User", "Stock User")
		make_user(STOCK_ONLY, "Stock User")
		cls.customer = h.make_customer()
		cls.item = h.make_item()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def repair_claim(self):
		frappe.set_user(h.SUPPORT)
		claim = h.make_claim(self.customer, serial=h.make_serial(self.item, 100), item=self.item)
		answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		answer_warranty_question(claim.name, "Repairable?", "Repairable")
		claim.reload()
		self.assertEqual(claim.funnel, "Warranty repair")
		return claim

	def test_the_repair_branch_makes_a_maintenance_visit_linked_to_the_claim(self):
		from erpnext.support.doctype.warranty_claim.warranty_claim import make_maintenance_visit

		claim = self.repair_claim()
		visit = make_maintenance_visit(claim.name)  # ERPNext's own mapper (its button on the claim)
		visit.mntc_date = frappe.utils.nowdate()
		visit.completion_status = "Partially Completed"
		visit.maintenance_type = "Unscheduled"
		for row in visit.purposes:
			row.service_person = row.service_person or self._sales_person()
			row.description = "Replaced the switch"
			row.work_done = "Switch replaced"
		visit.insert()
		self.assertEqual(visit.warranty_claim, claim.name)
		self.assertEqual(visit.purposes[0].prevdoc_docname, claim.name)

		from frappe.desk.notifications import get_open_count

		counts = get_open_count("Warranty Claim", claim.name)
		found = {row["doctype"]: row["count"] for row in counts["count"]["external_links_found"]}
		self.assertEqual(found.get("Maintenance Visit"), 1)

	def test_parts_are_issued_through_a_stock_entry_of_the_claim(self):
		claim = self.repair_claim()
		frappe.set_user(h.SUPPORT)
		with self.assertRaises(frappe.PermissionError):  # a support agent issues no stock
			make_warranty_stock_entry(claim.name)
		frappe.set_user(STOREKEEPER)
		entry = make_warranty_stock_entry(claim.name)
		self.assertEqual(
			(entry.doctype, entry.purpose, entry.warranty_claim),
			("Stock Entry", "Material Issue", claim.name),
		)
		self.assertEqual(entry.company, claim.company)
		frappe.set_user(h.SALES)
		with self.assertRaises(frappe.PermissionError):
			make_warranty_stock_entry(claim.name)

	def test_linking_a_document_needs_the_claim_and_its_customer(self):
		from erpnext.support.doctype.warranty_claim.warranty_claim import make_maintenance_visit

		from funnel_suite.funnel_warranty.documents import check_claim_link

		claim = self.repair_claim()
		frappe.set_user(STOREKEEPER)
		entry = make_warranty_stock_entry(claim.name)
		check_claim_link(entry)  # the storekeeper reads the claim
		frappe.set_user(STOCK_ONLY)  # a Stock User who may not read claims cannot link one
		with self.assertRaises(frappe.PermissionError):
			check_claim_link(entry)
		frappe.set_user("Administrator")
		visit = make_maintenance_visit(claim.name)
		visit.customer = h.make_customer()
		with self.assertRaises(frappe.ValidationError) as caught:
			check_claim_link(visit)
		self.assertIn(claim.name, str(caught.exception))

	def test_a_refund_needs_a_submitted_invoice_of_the_claims_customer(self):
		claim = self.repair_claim()
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.DoesNotExistError):
			make_warranty_credit_note(claim.name, "no-such-invoice")

	def _sales_person(self):
		name = "Warranty Technician"
		if not frappe.db.exists("Sales Person", name):
			frappe.get_doc(
				{"doctype": "Sales Person", "sales_person_name": name, "parent_sales_person": "Sales Team"}
			).insert(ignore_permissions=True)
		return name
