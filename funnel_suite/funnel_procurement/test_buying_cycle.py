"""ERPNext's own buying cycle moves a procurement case: PO → PR (partial, then full) → PI →
Payment Entry, and the cancels move it back; each document submitted by the person who would
(buyer, storekeeper, accountant)."""

from __future__ import annotations

import frappe
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import (
	make_purchase_invoice as make_invoice_from_receipt,
)

from funnel_suite.api import (
	make_case_purchase_order,
	make_case_request_for_quotation,
	make_case_supplier_quotation,
	move_card,
)
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, count_queries, executed_queries, transitions

CASE = "Procurement Case"


def stage(case) -> str:
	return frappe.db.get_value(CASE, case.name, "funnel_stage")


def figures(case) -> tuple:
	return tuple(
		frappe.db.get_value(
			CASE, case.name, ["ordered_percent", "received_percent", "billed_percent", "paid_percent"]
		)
	)


class TestBuyingCycle(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.supplier = h.make_supplier()
		cls.other_supplier = h.make_supplier()
		cls.item = h.make_item()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def _case(
		self, qty: float = 10, supplier: str | None = "default", to_stage: str | None = "Supplier checked"
	):
		frappe.set_user(h.BUYER)
		case = h.make_case(
			supplier=self.supplier if supplier == "default" else supplier, items=[(self.item, qty)]
		)
		if to_stage:
			move_card(CASE, case.name, to_stage)
		return case

	def _order(self, case, supplier: str | None = None):
		frappe.set_user(h.BUYER)
		po = frappe.get_doc(make_case_purchase_order(case.name))
		if supplier:
			po.supplier = supplier
		po.insert()
		return po

	def _receive(self, po, qty: float):
		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name)
		for row in pr.items:
			row.qty = qty
			row.received_qty = qty
		pr.insert()
		pr.submit()
		return pr

	def test_buying_cycle_moves_the_case_and_cancels_move_it_back(self):
		case = self._case()
		po = self._order(case)
		self.assertEqual((po.procurement_case, po.supplier, po.items[0].qty), (case.name, self.supplier, 10))
		po.submit()
		self.assertEqual(stage(case), "Order placed")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual((last.to_stage, last.moved_by), ("Order placed", h.BUYER))
		self.assertIn(po.name, last.comment)
		self.assertEqual(figures(case)[0], 100)

		# the storekeeper receives (no right on the case: the link came with the order)
		first = self._receive(po, 4)
		self.assertEqual(first.procurement_case, case.name)
		self.assertEqual(stage(case), "Order placed")  # partial: progress only
		self.assertEqual(figures(case)[1], 40)
		second = self._receive(po, 6)
		self.assertEqual(stage(case), "Delivered")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual((last.to_stage, last.moved_by), ("Delivered", h.STOCK_USER))
		self.assertIn(second.name, last.comment)

		# the accountant books the invoice of both receipts: Invoice received is behind
		# Delivered, no move back
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(first.name)
		pi = make_invoice_from_receipt(second.name, target_doc=pi)
		self.assertEqual(sum(row.qty for row in pi.items), 10)
		pi.insert()
		pi.submit()
		self.assertEqual(pi.procurement_case, case.name)
		self.assertEqual(stage(case), "Delivered")
		self.assertEqual(figures(case)[2], 100)
		pe = get_payment_entry("Purchase Invoice", pi.name)
		pe.reference_no, pe.reference_date = "PROC-TEST", frappe.utils.nowdate()
		pe.insert()
		pe.submit()
		self.assertEqual(stage(case), "Paid")
		self.assertEqual(figures(case), (100, 100, 100, 100))
		self.assertEqual(transitions(CASE, case.name)[-1].moved_by, h.ACCOUNTS_USER)

		# cancels: the case goes back to what the remaining documents support, with the reason
		pe.reload()
		pe.cancel()
		self.assertEqual(stage(case), "Delivered")
		self.assertIn("cancelled", transitions(CASE, case.name)[-1].comment)
		self.assertEqual(figures(case)[3], 0)
		frappe.set_user(h.ACCOUNTS_USER)
		pi.reload()
		pi.cancel()
		self.assertEqual(stage(case), "Delivered")  # the goods are still in: Delivered stands
		self.assertEqual(figures(case)[2], 0)
		frappe.set_user(h.STOCK_USER)
		second.reload()
		second.cancel()
		self.assertEqual(stage(case), "Order placed")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual(
			(last.from_stage, last.to_stage, last.moved_by), ("Delivered", "Order placed", h.STOCK_USER)
		)
		self.assertIn(second.name, last.comment)
		self.assertEqual(figures(case)[1], 40)
		first.reload()
		first.cancel()
		frappe.set_user(h.BUYER)
		po.reload()
		po.cancel()
		self.assertEqual(stage(case), "Supplier checked")  # the hand-kept stage it came from
		self.assertEqual(figures(case), (0, 0, 0, 0))

	def test_invoice_before_full_receipt_and_its_cancel(self):
		case = self._case()
		po = self._order(case)
		po.submit()
		receipt = self._receive(po, 4)
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(receipt.name)
		pi.insert()
		pi.submit()
		self.assertEqual(stage(case), "Invoice received")
		self.assertEqual(figures(case)[2], 40)
		pe = get_payment_entry("Purchase Invoice", pi.name)
		pe.reference_no, pe.reference_date = "PROC-TEST-2", frappe.utils.nowdate()
		pe.insert()
		pe.submit()
		self.assertEqual(stage(case), "Invoice received")  # paid, but only 40% is invoiced
		self.assertEqual(figures(case)[3], 100)
		pe.reload()
		pe.cancel()
		pi.reload()
		pi.cancel()
		self.assertEqual(stage(case), "Order placed")
		last = transitions(CASE, case.name)[-1]
		self.assertEqual(
			(last.from_stage, last.to_stage, last.moved_by),
			("Invoice received", "Order placed", h.ACCOUNTS_USER),
		)
		self.assertIn(pi.name, last.comment)

	def test_order_for_another_supplier_is_refused_naming_both(self):
		case = self._case()
		po = self._order(case, supplier=self.other_supplier)
		with self.assertRaises(frappe.ValidationError) as caught:
			po.submit()
		message = str(caught.exception)
		self.assertIn(self.other_supplier, message)
		self.assertIn(self.supplier, message)
		self.assertEqual(stage(case), "Supplier checked")

	def test_a_blocked_move_notifies_the_buyer_and_the_submit_succeeds(self):
		# no supplier on the case: the order is placed, but Order placed requires the supplier
		case = self._case(supplier=None, to_stage=None)
		po = self._order(case, supplier=self.supplier)
		po.submit()
		self.assertEqual(frappe.db.get_value("Purchase Order", po.name, "docstatus"), 1)
		self.assertEqual(stage(case), "Need registered")
		self.assertEqual(len(transitions(CASE, case.name)), 1)
		self.assertEqual(figures(case)[0], 100)  # the figures follow all the same
		notes = frappe.get_all(
			"Notification Log",
			filters={"document_type": CASE, "document_name": case.name, "for_user": h.BUYER},
			fields=["email_content"],
		)
		self.assertEqual(len(notes), 1)
		self.assertIn(po.name, notes[0].email_content)
		self.assertIn("Supplier", notes[0].email_content)
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": CASE, "reference_name": case.name, "comment_type": "Info"},
			pluck="content",
		)
		self.assertTrue(any(po.name in c and "Order placed" in c for c in comments), comments)
		self.assertFalse([m for m in frappe.local.message_log if "Missing" in str(m)])

	def test_linking_a_document_to_a_case_needs_read_on_the_case(self):
		case = self._case()
		frappe.set_user(h.ACCOUNTS_USER)  # no right on procurement cases
		pi = frappe.get_doc(
			{
				"doctype": "Purchase Invoice",
				"supplier": self.supplier,
				"company": case.company,
				"procurement_case": case.name,
				"items": [{"item_code": self.item, "qty": 1, "rate": 10}],
			}
		)
		with self.assertRaises(frappe.PermissionError):
			pi.insert()

	def test_create_buttons_map_the_case_for_buyers_only(self):
		case = self._case()
		frappe.set_user(h.BUYER)
		rfq = make_case_request_for_quotation(case.name)
		self.assertEqual((rfq.procurement_case, rfq.suppliers[0].supplier), (case.name, self.supplier))
		self.assertEqual(rfq.items[0].item_code, self.item)
		sq = make_case_supplier_quotation(case.name)
		self.assertEqual(
			(sq.procurement_case, sq.supplier, sq.items[0].rate), (case.name, self.supplier, 100)
		)
		for user in (h.SALES_USER, h.STOCK_USER, h.FUNNEL_MANAGER):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				make_case_purchase_order(case.name)

	def test_the_hook_reads_a_fixed_number_of_queries(self):
		from funnel_suite.funnel_procurement import progress

		case = self._case()
		po = self._order(case)
		po.submit()
		frappe.set_user("Administrator")
		doc = frappe.get_doc(CASE, case.name)
		one = count_queries(lambda: progress.figures(doc))
		for _ in range(3):
			self._order(case).submit()
		frappe.set_user("Administrator")
		self.assertEqual(count_queries(lambda: progress.figures(doc)), one)

	def test_erpnext_mappers_carry_the_case_from_quotation_to_order(self):
		from erpnext.buying.doctype.request_for_quotation.request_for_quotation import (
			make_supplier_quotation_from_rfq,
		)
		from erpnext.buying.doctype.supplier_quotation.supplier_quotation import (
			make_purchase_order as make_order_from_quotation,
		)

		case = self._case()
		frappe.set_user(h.PURCHASE_MANAGER)  # ERPNext: only a Purchase Manager submits an RFQ
		rfq = frappe.get_doc(make_case_request_for_quotation(case.name))
		rfq.suppliers[0].send_email = 0
		rfq.insert()
		rfq.submit()
		frappe.set_user(h.BUYER)
		sq = make_supplier_quotation_from_rfq(rfq.name, for_supplier=self.supplier)
		self.assertEqual(sq.procurement_case, case.name)
		for row in sq.items:
			row.rate = 95
		sq.insert()
		sq.submit()
		po = make_order_from_quotation(sq.name)
		self.assertEqual(po.procurement_case, case.name)
		po.schedule_date = po.schedule_date or frappe.utils.add_days(frappe.utils.nowdate(), 5)
		po.insert()
		po.submit()
		self.assertEqual(stage(case), "Order placed")
		self.assertEqual(figures(case)[0], 100)

	def test_a_moving_submit_reads_the_case_once_and_checks_no_link_per_row(self):
		import re

		from funnel_suite.funnel_procurement import moves

		frappe.set_user("Administrator")
		items = [h.make_item() for _ in range(3)]
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier, items=[(code, 2) for code in items])
		move_card(CASE, case.name, "Supplier checked")
		po = self._order(case)
		sql = [" ".join(q.split()) for q in executed_queries(po.submit)]
		self.assertEqual(stage(case), "Order placed")

		def reads(table: str) -> int:
			return sum(1 for q in sql if re.match(rf"select .* from `tab{table}` where", q, re.I))

		# before_submit (supplier check) and on_submit (the move) share one read of the case, the
		# save compares with it instead of reading it again
		self.assertEqual((reads("Procurement Case"), reads("Procurement Case Item")), (1, 1), sql)
		# the figures: one aggregate query
		self.assertEqual(sum(1 for q in sql if "'ordered'" in q), 1)

		# the move alone (back by hand, then the order's sync again): no link lookups of the
		# case's supplier, items or warehouses
		move_card(CASE, case.name, "Supplier checked")
		sql = [" ".join(q.split()) for q in executed_queries(lambda: moves.sync_case(case.name, po, False))]
		self.assertEqual(stage(case), "Order placed")
		for table in ("Supplier", "Item", "Warehouse", "Procurement Case"):
			self.assertLessEqual(reads(table), 1 if table == "Procurement Case" else 0, (table, sql))
