"""Procurement alarms: late deliveries and overdue supplier invoices raise one alarm per case and
cause (buyer, then the Purchase Managers), nothing more on a rerun, resolved when the cause goes;
one failing case does not stop the others; the alarms are the app's."""

from __future__ import annotations

from unittest.mock import patch

import frappe
from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry
from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import (
	make_purchase_invoice as make_invoice_from_receipt,
)
from frappe.utils import add_days, nowdate

from funnel_suite.api import make_case_purchase_order, move_card
from funnel_suite.funnel_procurement import alarms
from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase

CASE = "Procurement Case"


def notes(case: str, user: str) -> list[str]:
	return frappe.get_all(
		"Notification Log",
		filters={"document_type": CASE, "document_name": case, "for_user": user},
		pluck="subject",
		order_by="creation asc",
	)


def run(today=None) -> dict:
	frappe.set_user("Administrator")
	with patch.object(frappe.db, "commit"):  # the job commits per batch; keep the test's rollback
		return alarms.raise_alarms(today)


class TestProcurementAlarms(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_buying_people()
		cls.supplier = h.make_supplier()
		cls.item = h.make_item()

	def tearDown(self):
		frappe.set_user("Administrator")

	def _late_order(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=self.supplier, items=[(self.item, 10)])
		move_card(CASE, case.name, "Supplier checked")
		po = frappe.get_doc(make_case_purchase_order(case.name))
		po.transaction_date = add_days(nowdate(), -10)
		po.schedule_date = add_days(nowdate(), -5)
		for row in po.items:
			row.schedule_date = po.schedule_date
		po.insert()
		po.submit()
		return case, po

	def _alarms(self, case) -> list[tuple]:
		return [
			tuple(r)
			for r in frappe.get_all(
				"Procurement Alarm",
				filters={"procurement_case": case.name},
				fields=["cause", "status", "documents"],
				order_by="creation asc",
				as_list=True,
			)
		]

	def test_late_delivery_buyer_then_managers_once_then_resolved(self):
		case, po = self._late_order()
		# (FrappeTestCase rolls back per class: other tests' cases may be on the site too, so the
		# assertions look at this case)
		run()
		self.assertEqual(self._alarms(case), [("Late delivery", "Open", po.name)])
		self.assertEqual(len(notes(case.name, h.BUYER)), 1)
		self.assertIn(po.name, notes(case.name, h.BUYER)[0])
		self.assertEqual(run()["raised"], 0)  # a rerun the same day changes nothing
		self.assertEqual(self._alarms(case), [("Late delivery", "Open", po.name)])
		self.assertEqual(len(notes(case.name, h.BUYER)), 1)
		self.assertEqual(notes(case.name, h.PURCHASE_MANAGER), [])

		later = add_days(nowdate(), alarms.ESCALATE_AFTER_DAYS)
		run(later)
		self.assertEqual(len(notes(case.name, h.PURCHASE_MANAGER)), 1)
		self.assertIn("Still unresolved", notes(case.name, h.PURCHASE_MANAGER)[0])
		run(later)
		self.assertEqual(len(notes(case.name, h.PURCHASE_MANAGER)), 1)
		self.assertEqual(len(notes(case.name, h.BUYER)), 1)

		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name)
		pr.insert()
		pr.submit()
		run()
		self.assertEqual(self._alarms(case), [("Late delivery", "Resolved", po.name)])

	def test_overdue_invoice_raises_and_payment_resolves(self):
		case, po = self._late_order()
		frappe.set_user(h.STOCK_USER)
		pr = make_purchase_receipt(po.name)
		pr.insert()
		pr.submit()
		frappe.set_user(h.ACCOUNTS_USER)
		pi = make_invoice_from_receipt(pr.name)
		pi.set_posting_time = 1
		pi.posting_date = add_days(nowdate(), -40)
		pi.bill_date = pi.posting_date
		pi.payment_schedule = []
		pi.due_date = add_days(nowdate(), -10)
		pi.insert()
		pi.submit()
		run()
		self.assertEqual(self._alarms(case), [("Overdue invoice", "Open", pi.name)])
		frappe.set_user(h.ACCOUNTS_USER)
		pe = get_payment_entry("Purchase Invoice", pi.name)
		pe.reference_no, pe.reference_date = "ALARM-TEST", nowdate()
		pe.insert()
		pe.submit()
		run()
		self.assertEqual(self._alarms(case), [("Overdue invoice", "Resolved", pi.name)])

	def test_one_failing_case_does_not_stop_the_others(self):
		first, _po1 = self._late_order()
		second, _po2 = self._late_order()
		original = alarms._case_info

		def broken(case):
			if case == first.name:
				raise RuntimeError("broken case")
			return original(case)

		with patch.object(alarms, "_case_info", side_effect=broken):
			counts = run()
		self.assertEqual(counts["failed"], 1)
		self.assertEqual(self._alarms(first), [])
		self.assertEqual(len(self._alarms(second)), 1)

	def test_alarms_are_the_apps_and_go_with_their_case(self):
		case, _po = self._late_order()
		run()
		name = frappe.db.get_value("Procurement Alarm", {"procurement_case": case.name})
		for user in (h.PURCHASE_MANAGER, "Administrator"):
			frappe.set_user(user)
			doc = frappe.get_doc("Procurement Alarm", name)
			doc.status = "Resolved"
			with self.assertRaises(frappe.PermissionError, msg=user):
				doc.save(ignore_permissions=True)
		frappe.set_user(h.SALES_USER)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_list("Procurement Alarm")
		frappe.set_user(h.BUYER)
		self.assertIn(name, frappe.get_list("Procurement Alarm", pluck="name"))
		# the case cannot be deleted while its order is submitted (ERPNext's links); a fresh one can
		frappe.set_user(h.PURCHASE_MANAGER)
		other = h.make_case(supplier=self.supplier)
		frappe.set_user("Administrator")
		with patch(
			"funnel_suite.funnel_procurement.alarms._late_orders", return_value={other.name: ["PO-X"]}
		):
			run()
		self.assertTrue(frappe.db.exists("Procurement Alarm", {"procurement_case": other.name}))
		frappe.set_user(h.PURCHASE_MANAGER)
		frappe.delete_doc(CASE, other.name)
		self.assertFalse(frappe.db.exists("Procurement Alarm", {"procurement_case": other.name}))
