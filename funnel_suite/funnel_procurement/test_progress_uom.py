"""Progress figures in stock UOM: a case row in pieces is covered by an order in boxes of 12, a
case row in boxes by orders in boxes and in pieces; the case row's stock quantity follows its UOM."""

from __future__ import annotations

import frappe
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import (
	make_purchase_invoice as make_invoice_from_receipt,
)

from funnel_suite.api import make_case_purchase_order, move_card
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.funnel_procurement.test_buying_cycle import figures, stage
from funnel_suite.tests.utils import FunnelTestCase

CASE = "Procurement Case"


class TestProgressInStockUOM(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.supplier = h.make_supplier()
		cls.item = h.make_item(conversions={"Box": 12})

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def _case(self, qty: float, uom: str):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier, items=[(self.item, qty, uom)])
		move_card(CASE, case.name, "Supplier checked")
		return case

	def _order(self, case, qty: float, uom: str | None = None):
		"""The buyer's order of the case: the mapped row, changed to `qty` (in `uom`)."""
		frappe.set_user(h.BUYER)
		po = frappe.get_doc(make_case_purchase_order(case.name))
		row = po.items[0]
		if uom:
			row.uom, row.conversion_factor = uom, 12 if uom == "Box" else 1
		row.qty = qty
		po.insert()
		po.submit()
		return po

	def _receive(self, po, qty: float):
		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name)
		for row in pr.items:
			row.qty = row.received_qty = qty
		pr.insert()
		pr.submit()
		return pr

	def test_case_in_pieces_order_and_receipts_in_boxes(self):
		case = self._case(24, "Nos")
		row = frappe.get_doc(CASE, case.name).items[0]
		self.assertEqual(
			(row.uom, row.stock_uom, row.conversion_factor, row.stock_qty), ("Nos", "Nos", 1, 24)
		)
		po = self._order(case, 2, uom="Box")
		self.assertEqual((po.items[0].uom, po.items[0].stock_qty), ("Box", 24))
		self.assertEqual(stage(case), "Order placed")
		self.assertEqual(figures(case)[0], 100)  # 2 boxes = 24 pieces, not 2 of 24
		first = self._receive(po, 1)
		self.assertEqual((first.items[0].uom, first.items[0].stock_qty), ("Box", 12))
		self.assertEqual(figures(case)[1], 50)
		self.assertEqual(stage(case), "Order placed")  # half the pieces: progress only
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(first.name)
		pi.insert()
		pi.submit()
		self.assertEqual(figures(case)[2], 50)
		self._receive(po, 1)
		self.assertEqual(stage(case), "Delivered")
		self.assertEqual(figures(case)[:3], (100, 100, 50))

	def test_case_in_boxes_ordered_in_boxes_and_in_pieces(self):
		case = self._case(2, "Box")
		row = frappe.get_doc(CASE, case.name).items[0]
		self.assertEqual(
			(row.uom, row.stock_uom, row.conversion_factor, row.stock_qty), ("Box", "Nos", 12, 24)
		)
		# the mapper carries the case row's UOM and conversion, not ERPNext's default of 1
		frappe.set_user(h.BUYER)
		mapped = make_case_purchase_order(case.name).items[0]
		self.assertEqual(
			(mapped.uom, mapped.conversion_factor, mapped.qty, mapped.stock_qty), ("Box", 12, 2, 24)
		)
		self._order(case, 1)  # one box
		self.assertEqual(figures(case)[0], 50)
		self._order(case, 6, uom="Nos")  # and six pieces
		self.assertEqual(figures(case)[0], 75)
		po = self._order(case, 6, uom="Nos")
		self.assertEqual(figures(case)[0], 100)
		self._receive(po, 6)
		self.assertEqual(figures(case)[1], 25)

	def test_the_case_row_follows_its_uom_on_save(self):
		case = self._case(3, None)  # no UOM: the item's stock UOM
		case.reload()
		self.assertEqual((case.items[0].uom, case.items[0].stock_qty), ("Nos", 3))
		case.items[0].uom = "Box"
		case.save()
		self.assertEqual((case.items[0].conversion_factor, case.items[0].stock_qty), (12, 36))
		case.items[0].qty = 4
		case.save()
		self.assertEqual(case.items[0].stock_qty, 48)
		# a UOM the item has no conversion for counts 1:1, as on ERPNext's own order row
		case.items[0].uom = "Kg"
		case.save()
		self.assertEqual((case.items[0].conversion_factor, case.items[0].stock_qty), (1, 4))

	def test_the_conversion_is_not_the_users_to_type(self):
		case = self._case(2, "Box")
		case.reload()
		case.items[0].conversion_factor = 1  # read-only on the form; a crafted save
		case.items[0].stock_qty = 2
		case.save()
		# the factor stored for the unchanged item and UOM stands, the stock quantity follows it
		case.reload()
		self.assertEqual((case.items[0].conversion_factor, case.items[0].stock_qty), (12, 24))
		self.assertEqual(figures(case)[0], 0)

	def test_the_patch_fills_rows_saved_before_the_stock_quantity(self):
		from funnel_suite.funnel_procurement.patches import set_case_item_stock_qty

		case = self._case(2, "Box")
		frappe.set_user("Administrator")
		row = frappe.get_doc(CASE, case.name).items[0].name
		frappe.db.set_value(
			"Procurement Case Item", row, {"stock_uom": None, "conversion_factor": 0, "stock_qty": 0}
		)
		set_case_item_stock_qty.execute()
		self.assertEqual(
			frappe.db.get_value(
				"Procurement Case Item", row, ["uom", "stock_uom", "conversion_factor", "stock_qty"]
			),
			("Box", "Nos", 12, 24),
		)
		set_case_item_stock_qty.execute()  # twice: nothing changes
		self.assertEqual(frappe.db.get_value("Procurement Case Item", row, "stock_qty"), 24)
