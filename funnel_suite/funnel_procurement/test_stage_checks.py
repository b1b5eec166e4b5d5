"""Stage checks on a site: supplier vetted and contract signed on the Procurement funnel, as a
buyer; the Funnel form refuses check names that are not registered for its document type."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from funnel_suite.api import move_card
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.funnels.card import StageChecksFailedError
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, transitions


def make_contract(party: str, signed: int = 1, **values) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Contract",
			"party_type": "Supplier",
			"party_name": party,
			"contract_terms": "Supply of bearings",
			"start_date": values.pop("start_date", add_days(nowdate(), -1)),
			"end_date": values.pop("end_date", add_days(nowdate(), 30)),
			"is_signed": signed,
			"signee": "Supplier CEO" if signed else None,
			"signed_on": frappe.utils.now_datetime() if signed else None,
			**values,
		}
	)
	doc.insert(ignore_permissions=True)
	return doc.name


class TestStageChecks(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		cls.vetted = h.make_supplier()
		cls.on_hold = h.make_supplier(tax_id="", on_hold=1, hold_type="All", prevent_pos=1)
		cls.other = h.make_supplier()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def test_supplier_on_hold_is_refused_at_supplier_checked_with_every_reason(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.on_hold)
		with self.assertRaises(StageChecksFailedError) as caught:
			move_card("Procurement Case", case.name, "Supplier checked")
		message = str(caught.exception)
		for part in ("Supplier checked", "no Tax ID", "on hold", "Scorecard"):
			self.assertIn(part, message)
		self.assertEqual(
			frappe.db.get_value("Procurement Case", case.name, "funnel_stage"), "Need registered"
		)
		self.assertEqual(len(transitions("Procurement Case", case.name)), 1)

	def test_no_supplier_is_named_as_the_reason(self):
		frappe.set_user(h.BUYER)
		case = h.make_case()
		with self.assertRaises(StageChecksFailedError) as caught:
			move_card("Procurement Case", case.name, "Supplier checked")
		self.assertIn("choose the supplier", str(caught.exception))

	def test_vetted_supplier_and_signed_contract_pass(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.vetted)
		self.assertTrue(move_card("Procurement Case", case.name, "Supplier checked")["moved"])
		frappe.set_user("Administrator")
		wrong_party = make_contract(self.other)
		unsigned = make_contract(self.vetted, signed=0)
		expired = make_contract(
			self.vetted, start_date=add_days(nowdate(), -60), end_date=add_days(nowdate(), -1)
		)
		good = make_contract(self.vetted)
		frappe.set_user(h.BUYER)
		for contract, reason in (
			(wrong_party, "not with the case's supplier"),
			(unsigned, "is not signed"),
			(expired, "not active today"),
		):
			case.reload()
			case.contract = contract
			case.save()
			with self.assertRaises(StageChecksFailedError, msg=reason) as caught:
				move_card("Procurement Case", case.name, "Contract signed")
			self.assertIn(reason, str(caught.exception))
			frappe.local.message_log = []
		case.reload()
		case.contract = good
		case.save()
		self.assertTrue(move_card("Procurement Case", case.name, "Contract signed")["moved"])

	def test_documents_checks_refuse_a_manual_move_ahead_of_the_documents(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.vetted, items=[(h.make_item_as_admin(), 2)])
		for stage, reason in (
			("Order placed", "no purchase order"),
			("Invoice received", "no purchase invoice"),
			("Delivered", "receipts cover 0"),
			("Paid", "no purchase invoice"),
		):
			with self.assertRaises(StageChecksFailedError, msg=stage) as caught:
				move_card("Procurement Case", case.name, stage)
			self.assertIn(reason, str(caught.exception))
			frappe.local.message_log = []

	def test_funnel_refuses_unknown_checks_and_checks_of_another_doctype(self):
		frappe.set_user(h.FUNNEL_MANAGER)
		stages = [
			{"stage_name": "New", "stage_type": "Open"},
			{"stage_name": "Checked", "stage_type": "Open", "checks": "supplier_vetted\nno_such_check"},
			{"stage_name": "Done", "stage_type": "Won"},
			{"stage_name": "Lost", "stage_type": "Lost"},
		]
		with self.assertRaises(frappe.ValidationError) as caught:
			make_funnel("Procurement Case", stages=stages, purpose="Procurement")
		self.assertIn("no_such_check", str(caught.exception))
		stages[1]["checks"] = "supplier_vetted"
		with self.assertRaises(frappe.ValidationError) as caught:
			make_funnel("Opportunity", stages=stages)
		self.assertIn("supplier_vetted", str(caught.exception))
		funnel = make_funnel("Procurement Case", stages=stages, purpose="Procurement")
		self.assertEqual(funnel.stages[1].checks, "supplier_vetted")
