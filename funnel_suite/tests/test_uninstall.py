"""Uninstalling removes the app's fields from the host forms and keeps every Lead and Opportunity.

The hook runs inside the test transaction and is rolled back afterwards (deleting Custom Field
and Kanban Board documents runs no DDL); `.ci/run` also uninstalls the app for real from its
throwaway site and checks the host rows are still there.
"""

import frappe

from funnel_suite.install import CARD_FIELDNAMES, ROLES, before_uninstall
from funnel_suite.tests.utils import FunnelTestCase, make_lead, make_opportunity


class TestUninstall(FunnelTestCase):
	def test_before_uninstall_removes_fields_and_keeps_rows(self):
		lead = make_lead()
		opportunity = make_opportunity(lead=lead)
		counts = {dt: frappe.db.count(dt) for dt in ("Lead", "Opportunity")}
		boards = frappe.get_all("Funnel", pluck="kanban_board")
		try:
			before_uninstall()
			for doctype in ("Lead", "Opportunity"):
				meta = frappe.get_meta(doctype)
				for fieldname in CARD_FIELDNAMES:
					self.assertIsNone(meta.get_field(fieldname), f"{doctype}.{fieldname} still there")
				self.assertEqual(frappe.db.count(doctype), counts[doctype])
			for board in boards:
				self.assertFalse(frappe.db.exists("Kanban Board", board))
			# the Card Document Types the app added at install (Warranty Claim) lose their fields too
			frappe.clear_cache(doctype="Warranty Claim")
			self.assertIsNone(frappe.get_meta("Warranty Claim").get_field("funnel"))
			from funnel_suite.funnel_procurement.setup import BUYING_DOCTYPES, CASE_FIELD

			for doctype in BUYING_DOCTYPES:  # the procurement link goes from the buying documents
				frappe.clear_cache(doctype=doctype)
				self.assertIsNone(frappe.get_meta(doctype).get_field(CASE_FIELD), doctype)
			from funnel_suite.funnel_production.setup import PRODUCTION_FIELDS

			for doctype, fields in PRODUCTION_FIELDS.items():  # the order link goes from Stock Entry
				frappe.clear_cache(doctype=doctype)
				for field in fields:
					self.assertIsNone(frappe.get_meta(doctype).get_field(field["fieldname"]), doctype)
			from funnel_suite.funnel_production.project import PROJECT_FIELDS

			for doctype, fields in PROJECT_FIELDS.items():  # the order link goes from Project
				frappe.clear_cache(doctype=doctype)
				for field in fields:
					self.assertIsNone(frappe.get_meta(doctype).get_field(field["fieldname"]), doctype)
			self.assertEqual(frappe.get_doc("Lead", lead.name).first_name, lead.first_name)
			frappe.get_doc("Opportunity", opportunity.name).save()  # host validation still works
		finally:
			frappe.db.rollback()
			for doctype in ("Lead", "Opportunity", "Contact", "Customer", "Warranty Claim"):
				frappe.clear_cache(doctype=doctype)
			from funnel_suite.funnel_procurement.setup import BUYING_DOCTYPES
			from funnel_suite.funnel_production.setup import PRODUCTION_FIELDS

			for doctype in (*BUYING_DOCTYPES, *PRODUCTION_FIELDS, "Stock Entry Detail", "Project"):
				frappe.clear_cache(doctype=doctype)
		self.assertIsNotNone(frappe.get_meta("Lead").get_field("funnel"))
		self.assertIsNotNone(frappe.get_meta("Purchase Order").get_field("procurement_case"))
		self.assertIsNotNone(frappe.get_meta("Stock Entry").get_field("production_order"))
		self.assertIsNotNone(frappe.get_meta("Job Card").get_field("production_order"))
		self.assertIsNotNone(frappe.get_meta("Project").get_field("production_order"))

	def test_the_app_adds_no_permission_rule_to_erpnext_doctypes(self):
		# one custom rule would freeze the doctype's standard rules on the site (the host copies
		# them into Custom DocPerm), and ERPNext's later updates of them would no longer apply
		self.assertFalse(
			frappe.db.exists(
				"Custom DocPerm",
				{
					"parent": ("in", ["Lead", "Opportunity", "Contact", "Customer", "Warranty Claim"]),
					"role": ("in", list(ROLES)),
				},
			)
		)
