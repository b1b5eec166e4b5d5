"""A Purchase Invoice with Update Stock is a receipt as well as an invoice: it counts in the
received figure, moves the case to Delivered when it covers every item, and its cancel moves the
case back. One without Update Stock receives nothing."""

from __future__ import annotations

import frappe
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_invoice

from funnel_suite.api import make_case_purchase_order, move_card
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.funnel_procurement.test_buying_cycle import figures, stage
from funnel_suite.tests.utils import FunnelTestCase, transitions

CASE = "Procurement Case"
ACCOUNTANT = h.PURCHASE_ACCOUNTANT


class TestUpdateStockInvoice(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.supplier = h.make_supplier()
		cls.item = h.make_item(conversions={"Box": 5})

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def _ordered_case(self, qty: float = 10, uom: str = "Nos"):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier, items=[(self.item, qty, uom)])
		move_card(CASE, case.name, "Supplier checked")
		po = frappe.get_doc(make_case_purchase_order(case.name)).insert()
		po.submit()
		self.assertEqual(stage(case), "Order placed")
		return case, po

	def _invoice(self, po, qty: float, update_stock: bool = True):
		frappe.set_user(ACCOUNTANT)
		pi = make_purchase_invoice(po.name)
		pi.update_stock = int(update_stock)
		for row in pi.items:
			row.qty = row.received_qty = qty
		pi.insert()
		pi.submit()
		return pi

	def test_update_stock_invoices_deliver_and_their_cancels_move_back(self):
		case, po = self._ordered_case()
		first = self._invoice(po, 4)
		self.assertEqual(first.procurement_case, case.name)
		self.assertEqual(stage(case), "Invoice received")  # 4 of 10 in: not delivered yet
		self.assertEqual(figures(case)[1:3], (40, 40))
		second = self._invoice(po, 6)
		self.assertEqual(stage(case), "Delivered")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual(
			(last.from_stage, last.to_stage, last.moved_by),
			("Invoice received", "Delivered", ACCOUNTANT),
		)
		self.assertIn(second.name, last.comment)
		self.assertEqual(figures(case)[1:3], (100, 100))

		second.reload()
		second.cancel()
		self.assertEqual(stage(case), "Invoice received")  # the first invoice stands
		last = transitions(CASE, case.name)[-1]
		self.assertEqual((last.from_stage, last.to_stage), ("Delivered", "Invoice received"))
		self.assertIn(second.name, last.comment)
		self.assertIn("cancelled", last.comment)
		self.assertEqual(figures(case)[1:3], (40, 40))
		first.reload()
		first.cancel()
		self.assertEqual(stage(case), "Order placed")
		self.assertEqual(figures(case)[1:3], (0, 0))

	def test_one_invoice_in_boxes_covering_everything_delivers(self):
		case, po = self._ordered_case(2, "Box")  # 2 boxes of 5
		pi = self._invoice(po, 1)
		self.assertEqual((pi.items[0].uom, pi.items[0].stock_qty), ("Box", 5))
		self.assertEqual(figures(case)[1:3], (50, 50))
		self._invoice(po, 1)
		self.assertEqual(stage(case), "Delivered")
		self.assertEqual(figures(case)[1:3], (100, 100))

	def test_an_invoice_without_update_stock_receives_nothing(self):
		case, po = self._ordered_case()
		self._invoice(po, 10, update_stock=False)
		self.assertEqual(stage(case), "Invoice received")
		self.assertEqual(figures(case)[1:3], (0, 100))
