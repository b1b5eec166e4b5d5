"""A Contract made for a procurement case links itself into the case: as the Purchase Manager (who
creates ERPNext Contracts), refused to a Sales Manager who may create contracts but not read the
case, and refused when the contract's party is not the case's supplier."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from funnel_suite.api import move_card
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user

SALES_MANAGER = "fs-proc-sales-manager@example.com"


def contract_for(case: str, party: str, signed: int = 1, submit: bool = False):
	doc = frappe.get_doc(
		{
			"doctype": "Contract",
			"party_type": "Supplier",
			"party_name": party,
			"procurement_case": case,
			"contract_terms": "Supply of bearings",
			"start_date": add_days(nowdate(), -1),
			"end_date": add_days(nowdate(), 30),
			"is_signed": signed,
			"signee": "Supplier CEO" if signed else None,
			"signed_on": frappe.utils.now_datetime() if signed else None,
		}
	).insert()
	if submit:
		doc.submit()
	return doc


class TestContractLink(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		make_user(SALES_MANAGER, "Sales Manager")
		cls.supplier = h.make_supplier()
		cls.other = h.make_supplier()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def test_contract_made_for_a_case_links_itself_and_passes_the_stage_check(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier)
		move_card("Procurement Case", case.name, "Supplier checked")
		frappe.set_user(h.PURCHASE_MANAGER)
		contract = contract_for(case.name, self.supplier, submit=True)
		self.assertEqual(frappe.db.get_value("Procurement Case", case.name, "contract"), contract.name)
		frappe.set_user(h.BUYER)
		self.assertTrue(move_card("Procurement Case", case.name, "Contract signed")["moved"])
		# the case's connections list the contract through the new link
		from funnel_suite.funnel_procurement.doctype.procurement_case.procurement_case_dashboard import (
			get_data,
		)

		self.assertIn("Contract", [d for group in get_data()["transactions"] for d in group["items"]])

	def test_a_case_with_a_contract_keeps_it(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier)
		frappe.set_user(h.PURCHASE_MANAGER)
		first = contract_for(case.name, self.supplier)
		second = contract_for(case.name, self.supplier)
		self.assertEqual(frappe.db.get_value("Procurement Case", case.name, "contract"), first.name)
		self.assertIn(first.name, str(frappe.local.message_log))
		self.assertNotEqual(first.name, second.name)

	def test_contract_with_another_party_is_refused_naming_both(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier)
		frappe.set_user(h.PURCHASE_MANAGER)
		with self.assertRaises(frappe.ValidationError) as caught:
			contract_for(case.name, self.other)
		message = str(caught.exception)
		self.assertIn(self.other, message)
		self.assertIn(self.supplier, message)
		self.assertFalse(frappe.db.get_value("Procurement Case", case.name, "contract"))

	def test_user_who_cannot_read_the_case_cannot_link_a_contract_to_it(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier)
		frappe.set_user(SALES_MANAGER)
		self.assertTrue(frappe.has_permission("Contract", "create"))
		self.assertFalse(frappe.has_permission("Procurement Case", "read", case.name))
		with self.assertRaises(frappe.PermissionError):
			contract_for(case.name, self.supplier)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Procurement Case", case.name, "contract"))
		self.assertFalse(frappe.db.exists("Contract", {"procurement_case": case.name}))

	def test_the_link_field_is_installed_on_contract(self):
		self.assertTrue(frappe.get_meta("Contract").has_field("procurement_case"))
