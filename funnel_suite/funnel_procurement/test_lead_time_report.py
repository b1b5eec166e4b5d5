"""Report Procurement Lead Time: exact figures for known buying documents; User Permissions on
Supplier apply; only buyers run it."""

from __future__ import annotations

import frappe
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.buying.doctype.purchase_order.purchase_order import (
	make_purchase_invoice as make_invoice_from_order,
)
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import (
	make_purchase_invoice as make_invoice_from_receipt,
)
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, nowdate

from funnel_suite.api import make_case_purchase_order
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user

REPORT = "Procurement Lead Time"
LIMITED_BUYER = "fs-proc-buyer-limited@example.com"


def day(offset: int) -> str:
	return add_days(nowdate(), offset)


class TestLeadTimeReport(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.a = h.make_supplier()
		cls.b = h.make_supplier()
		cls.c = h.make_supplier()
		cls.item = h.make_item()
		make_user(LIMITED_BUYER, "Purchase User")
		frappe.get_doc(
			{"doctype": "User Permission", "user": LIMITED_BUYER, "allow": "Supplier", "for_value": cls.a}
		).insert(ignore_permissions=True)
		# A: received 8 days after the order, on time, paid 7 days after the invoice
		po1 = cls._order(cls.a, ordered=-20, promised=-10)
		pr1 = cls._receive(po1, posted=-12)
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(pr1.name)
		pi.set_posting_time, pi.posting_date, pi.bill_date = 1, day(-10), day(-10)
		pi.payment_schedule, pi.due_date = [], day(20)
		pi.insert()
		pi.submit()
		pe = get_payment_entry("Purchase Invoice", pi.name)
		pe.posting_date = pe.reference_date = day(-3)
		pe.reference_no = "LEAD-TIME"
		pe.insert()
		pe.submit()
		# A: received 15 days after the order, 10 days late
		cls._receive(cls._order(cls.a, ordered=-20, promised=-15), posted=-5)
		# B: due yesterday, nothing received
		cls._order(cls.b, ordered=-20, promised=-1)
		# C: received by an invoice with Update Stock 6 days after the order, on time
		po3 = cls._order(cls.c, ordered=-20, promised=-10)
		frappe.set_user(h.PURCHASE_ACCOUNTANT)
		pi = make_invoice_from_order(po3.name)
		pi.update_stock = 1
		pi.set_posting_time, pi.posting_date, pi.bill_date = 1, day(-14), day(-14)
		pi.payment_schedule, pi.due_date = [], day(20)
		pi.insert()
		pi.submit()
		frappe.set_user("Administrator")

	@classmethod
	def _order(cls, supplier: str, ordered: int, promised: int):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=supplier, items=[(cls.item, 10)])
		po = frappe.get_doc(make_case_purchase_order(case.name))
		po.transaction_date, po.schedule_date = day(ordered), day(promised)
		for row in po.items:
			row.schedule_date = po.schedule_date
		po.insert()
		po.submit()
		return po

	@classmethod
	def _receive(cls, po, posted: int):
		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name)
		pr.set_posting_time, pr.posting_date = 1, day(posted)
		pr.insert()
		pr.submit()
		return pr

	def tearDown(self):
		frappe.set_user("Administrator")

	def _rows(self, **filters) -> dict[str, dict]:
		result = run_report(REPORT, filters={"company": h.company(), "periodicity": "Yearly", **filters})
		mine = (self.a, self.b, self.c)
		return {row["supplier"]: row for row in result["result"] if row["supplier"] in mine}

	def test_exact_figures_per_supplier(self):
		frappe.set_user(h.BUYER)
		rows = self._rows()
		a, b = rows[self.a], rows[self.b]
		self.assertEqual(
			(a["cases"], a["received_cases"], a["median_days_to_receipt"], a["p90_days_to_receipt"]),
			(2, 2, 11.5, 15.0),
		)
		self.assertEqual((a["on_time_percent"], a["late_cases"], a["median_days_to_payment"]), (50.0, 1, 7.0))
		self.assertEqual(
			(
				b["cases"],
				b["received_cases"],
				b["median_days_to_receipt"],
				b["on_time_percent"],
				b["late_cases"],
			),
			(1, 0, None, 0.0, 1),
		)
		c = rows[self.c]  # received by the invoice with Update Stock
		self.assertEqual(
			(
				c["cases"],
				c["received_cases"],
				c["median_days_to_receipt"],
				c["on_time_percent"],
				c["late_cases"],
			),
			(1, 1, 6.0, 100.0, 0),
		)
		self.assertEqual(set(self._rows(from_date=day(-5))), set())  # ordered before the period

	def test_user_permissions_on_supplier_apply(self):
		frappe.set_user(LIMITED_BUYER)
		self.assertEqual(set(self._rows()), {self.a})  # not B, not C

	def test_only_buyers_run_it(self):
		for user in (h.SALES_USER, h.STOCK_USER, h.FUNNEL_MANAGER):
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				run_report(REPORT, filters={"company": h.company()})

	def test_bad_filters_are_refused_with_a_message(self):
		frappe.set_user(h.BUYER)
		with self.assertRaises(frappe.ValidationError) as caught:
			run_report(REPORT, filters={"company": h.company(), "periodicity": "Weekly"})
		self.assertIn("Weekly", str(caught.exception))
		frappe.local.message_log = []
