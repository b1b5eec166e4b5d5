"""ERPNext's own mappers carry `procurement_case` along Material Request → Request for Quotation →
Supplier Quotation → Purchase Order (each made by the person who would), the order moves the case;
a Journal Entry paying the case's invoice moves it to Paid and its cancel moves it back."""

from __future__ import annotations

import frappe
from erpnext.accounts.doctype.journal_entry.journal_entry import (
	get_default_bank_cash_account,
	get_payment_entry_against_invoice,
)
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
from erpnext.buying.doctype.request_for_quotation.request_for_quotation import (
	make_supplier_quotation_from_rfq,
)
from erpnext.buying.doctype.supplier_quotation.supplier_quotation import (
	make_purchase_order as make_order_from_quotation,
)
from erpnext.stock.doctype.material_request.material_request import make_request_for_quotation
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import (
	make_purchase_invoice as make_invoice_from_receipt,
)
from frappe.utils import add_days, nowdate

from funnel_suite.api import make_case_purchase_order, move_card
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.funnel_procurement.test_buying_cycle import figures, stage
from funnel_suite.tests.utils import FunnelTestCase, transitions

CASE = "Procurement Case"


class TestMapperChainAndJournal(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.supplier = h.make_supplier()
		cls.item = h.make_item()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def _case(self, qty: float = 10):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier, items=[(self.item, qty)])
		move_card(CASE, case.name, "Supplier checked")
		return case

	def _material_request(self, case, user: str = h.BUYER):
		frappe.set_user(user)
		return frappe.get_doc(
			{
				"doctype": "Material Request",
				"material_request_type": "Purchase",
				"company": case.company,
				"schedule_date": add_days(nowdate(), 7),
				"procurement_case": case.name,
				"items": [
					{
						"item_code": self.item,
						"qty": 10,
						"uom": "Nos",
						"schedule_date": add_days(nowdate(), 7),
						"warehouse": h.warehouse(case.company),
					}
				],
			}
		).insert()

	def test_material_request_to_order_carries_the_case(self):
		case = self._case()
		mr = self._material_request(case)
		mr.submit()
		self.assertEqual(stage(case), "Supplier checked")  # a request moves nothing

		frappe.set_user(h.PURCHASE_MANAGER)  # ERPNext: only a Purchase Manager submits an RFQ
		rfq = make_request_for_quotation(mr.name)
		self.assertEqual(rfq.procurement_case, case.name)
		rfq.append("suppliers", {"supplier": self.supplier, "send_email": 0})
		rfq.message_for_supplier = "Please quote"
		rfq.insert()
		rfq.submit()

		frappe.set_user(h.BUYER)
		sq = make_supplier_quotation_from_rfq(rfq.name, for_supplier=self.supplier)
		self.assertEqual(sq.procurement_case, case.name)
		self.assertEqual(sq.items[0].material_request, mr.name)
		for row in sq.items:
			row.rate = 90
		sq.insert()
		sq.submit()
		po = make_order_from_quotation(sq.name)
		self.assertEqual(po.procurement_case, case.name)
		self.assertEqual((po.items[0].supplier_quotation, po.items[0].material_request), (sq.name, mr.name))
		po.insert()
		po.submit()
		self.assertEqual(stage(case), "Order placed")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual((last.to_stage, last.moved_by), ("Order placed", h.BUYER))
		self.assertIn(po.name, last.comment)
		self.assertEqual(figures(case)[0], 100)

	def test_the_storekeeper_may_not_link_a_request_to_a_case(self):
		case = self._case()
		with self.assertRaises(frappe.PermissionError):
			self._material_request(case, user=h.STOCK_USER)  # no right on procurement cases

	def _delivered_and_invoiced(self):
		case = self._case()
		frappe.set_user(h.BUYER)
		po = frappe.get_doc(make_case_purchase_order(case.name)).insert()
		po.submit()
		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name).insert()
		pr.submit()
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(pr.name).insert()
		pi.submit()
		self.assertEqual(stage(case), "Delivered")
		return case, pi

	def _journal(self, pi, amount: float | None = None):
		frappe.set_user(h.ACCOUNTS_USER)
		je = get_payment_entry_against_invoice("Purchase Invoice", pi.name, amount=amount, journal_entry=True)
		bank = je.accounts[1]
		if not bank.account:  # the test company has no bank account: paid in cash
			cash = get_default_bank_cash_account(pi.company, "Cash")
			je.voucher_type, bank.account = "Cash Entry", cash["account"]
			bank.account_currency, bank.exchange_rate = cash["account_currency"], 1
			bank.credit_in_account_currency = je.accounts[0].debit_in_account_currency
			je.set_amounts_in_company_currency()
			je.set_total_debit_credit()
		je.posting_date = nowdate()
		je.cheque_no, je.cheque_date = "PROC-JE", nowdate()
		je.insert()
		je.submit()
		return je

	def test_a_journal_entry_paying_the_invoice_moves_the_case_to_paid_and_its_cancel_back(self):
		case, pi = self._delivered_and_invoiced()
		half = self._journal(pi, amount=pi.grand_total / 2)
		self.assertEqual(stage(case), "Delivered")  # half paid: progress only
		self.assertEqual(figures(case)[3], 50)
		rest = self._journal(pi)
		self.assertEqual(stage(case), "Paid")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual(
			(last.from_stage, last.to_stage, last.moved_by), ("Delivered", "Paid", h.ACCOUNTS_USER)
		)
		self.assertIn(rest.name, last.comment)
		self.assertEqual(figures(case), (100, 100, 100, 100))

		rest.reload()
		rest.cancel()
		self.assertEqual(stage(case), "Delivered")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual((last.from_stage, last.to_stage), ("Paid", "Delivered"))
		self.assertIn(rest.name, last.comment)
		self.assertIn("cancelled", last.comment)
		self.assertEqual(figures(case)[3], 50)
		half.reload()
		half.cancel()
		self.assertEqual(stage(case), "Delivered")
		self.assertEqual(figures(case)[3], 0)
