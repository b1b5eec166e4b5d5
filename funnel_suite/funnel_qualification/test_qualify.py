"""Qualify / disqualify a lead: one action each, ERPNext's own mapping and status, never a deletion."""

import frappe

from funnel_suite.api import disqualify_lead, qualify_lead
from funnel_suite.funnel_qualification.report.cross_sell_leads.cross_sell_leads import execute
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lead_source,
	make_funnel,
	make_lead,
	make_user,
	unique,
)


class TestQualification(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.source = ensure_lead_source()
		cls.sales = make_funnel(
			stages=[
				{"stage_name": "Inquiry received", "stage_type": "Open"},
				{"stage_name": "Proposal sent", "stage_type": "Open"},
				{"stage_name": "Contract signed", "stage_type": "Won"},
				{"stage_name": "Deal lost", "stage_type": "Lost"},
			]
		).name

	def test_qualify_a_company_lead(self):
		lead = make_lead(
			company_name=unique("Kitchen Pro"),
			email_id=f"{frappe.generate_hash(length=8)}@example.test",
			source=self.source,
		)
		result = qualify_lead(lead.name, self.sales, "Proposal sent")
		customer = frappe.get_doc("Customer", result["customer"])
		self.assertEqual(
			(customer.customer_type, customer.customer_name, customer.lead_name),
			("Company", lead.company_name, lead.name),
		)
		contact_links = {
			(l.link_doctype, l.link_name) for l in frappe.get_doc("Contact", result["contact"]).links
		}
		self.assertIn(("Customer", customer.name), contact_links)
		self.assertIn(("Lead", lead.name), contact_links)
		deal = frappe.get_doc("Opportunity", result["opportunity"])
		self.assertEqual(
			(deal.opportunity_from, deal.party_name, deal.funnel, deal.funnel_stage, deal.funnel_source_name),
			("Customer", customer.name, self.sales, "Proposal sent", lead.name),
		)
		lead.reload()
		lead_won = next(
			s.stage_name for s in frappe.get_doc("Funnel", lead.funnel).stages if s.stage_type == "Won"
		)
		self.assertEqual(
			(lead.qualification_status, lead.qualified_by, lead.status, lead.customer, lead.funnel_stage),
			("Qualified", "Administrator", "Converted", customer.name, lead_won),
		)

	def test_qualify_a_person_lead_into_the_default_funnel(self):
		lead = make_lead(email_id=f"{frappe.generate_hash(length=8)}@example.test")
		result = qualify_lead(lead.name)
		self.assertEqual(frappe.db.get_value("Customer", result["customer"], "customer_type"), "Individual")
		self.assertEqual(
			frappe.db.get_value("Opportunity", result["opportunity"], "funnel"), default_funnel("Opportunity")
		)

	def test_qualify_is_one_transaction_and_checks_permissions(self):
		lead = make_lead()
		customers = frappe.db.count("Customer")
		frappe.db.savepoint("request")
		with self.assertRaises(frappe.ValidationError):
			qualify_lead(lead.name, self.sales, "No such stage")
		frappe.db.rollback(save_point="request")
		self.assertEqual(frappe.db.count("Customer"), customers)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "qualification_status"), "Unqualified")
		with self.assertRaises(frappe.ValidationError):
			qualify_lead(lead.name, default_funnel("Lead"))  # not a sales funnel
		reader = make_user("funnel-lead-reader@example.test", "Accounts User")
		with self.set_user(reader):
			with self.assertRaises(frappe.PermissionError):
				qualify_lead(lead.name)
		seller = make_user("funnel-lead-seller@example.test", "Sales User")
		frappe.share.add("Lead", lead.name, seller, write=1)
		with self.set_user(seller):  # may edit the lead and open deals, but not create customers
			if not frappe.has_permission("Customer", "create"):
				with self.assertRaises(frappe.PermissionError):
					qualify_lead(lead.name)

	def test_disqualify_archives_never_deletes_and_feeds_the_cross_sell_list(self):
		lead = make_lead(email_id=f"{frappe.generate_hash(length=8)}@example.test")
		group = frappe.db.get_value("Item Group", {"is_group": 0}) or frappe.db.get_value("Item Group", {})
		with self.assertRaises(frappe.ValidationError) as ctx:
			disqualify_lead(lead.name, "Because")
		self.assertIn("Not our target audience", str(ctx.exception))
		with self.assertRaises(frappe.ValidationError):
			disqualify_lead(lead.name, "No budget", target_for="Not a product line")
		result = disqualify_lead(lead.name, "No budget", note="Asked for a free trial only", target_for=group)
		lead.reload()
		lost = next(
			s.stage_name for s in frappe.get_doc("Funnel", lead.funnel).stages if s.stage_type == "Lost"
		)
		self.assertEqual((result["stage"], lead.funnel_stage, lead.funnel_archived), (lost, lost, 1))
		self.assertEqual(
			(lead.funnel_disqualification_reason, lead.qualification_status), ("No budget", "Unqualified")
		)
		self.assertTrue(frappe.db.exists("Lead", lead.name))
		_columns, rows = execute({"target_for": group})
		self.assertIn(lead.name, [r.name for r in rows])
		with self.assertRaises(frappe.ValidationError):
			qualify_lead(lead.name)  # archived
