"""The storekeeper's Stock Entry under each setting: a Material Transfer into the work-in-progress
warehouse; a draft left for review, whose submit and cancel move the issued quantities, and which
is not duplicated when the order comes back to the stage; linking an entry to an order needs write
on the order."""

from __future__ import annotations

import frappe

from funnel_suite.api import move_card
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_user

ORDER = "Production Order"
STOCK_MANAGER = "fs-prod-stock-manager@example.com"  # Stock Manager only: no right on orders


def wip_warehouse() -> str:
	company = h.company()
	return frappe.db.get_value(
		"Warehouse", {"company": company, "is_group": 0, "warehouse_name": "Work In Progress"}
	) or frappe.db.get_value("Warehouse", {"company": company, "is_group": 0, "name": ("!=", h.warehouse())})


class TestProductionStock(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		make_user(STOCK_MANAGER, "Stock Manager")
		cls.item = h.make_item()
		h.receive(cls.item, 100)

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.clear_document_cache("Production Settings", "Production Settings")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def settings(self, **values):
		user = frappe.session.user
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Production Settings")
		doc.update(values)
		doc.save()
		frappe.set_user(user)

	def test_a_material_transfer_into_the_wip_warehouse(self):
		wip = wip_warehouse()
		self.settings(stock_entry_purpose="Material Transfer", wip_warehouse=wip, submit_stock_entry=1)
		frappe.set_user(h.STOREKEEPER)
		order = h.make_order(materials=[(self.item, 3)])
		move_card(ORDER, order.name, "Materials issued")
		row = frappe.get_doc(ORDER, order.name).materials[0]
		entry = frappe.get_doc("Stock Entry", row.stock_entry)
		self.assertEqual(
			(entry.purpose, entry.docstatus, entry.items[0].s_warehouse, entry.items[0].t_warehouse),
			("Material Transfer", 1, h.warehouse(), wip),
		)
		self.assertEqual(row.issued_qty, 3)

	def test_transfer_without_a_wip_warehouse_is_refused_in_the_settings(self):
		with self.assertRaises(frappe.ValidationError) as caught:
			self.settings(stock_entry_purpose="Material Transfer", wip_warehouse=None)
		self.assertIn("Work-in-Progress", str(caught.exception))

	def test_a_draft_for_review_then_submit_and_cancel(self):
		self.settings(stock_entry_purpose="Material Issue", submit_stock_entry=0)
		frappe.set_user(h.FOREMAN)
		order = h.make_order(materials=[(self.item, 4), (self.item, 1)])
		move_card(ORDER, order.name, "Materials issued")
		rows = frappe.get_doc(ORDER, order.name).materials
		entry = frappe.get_doc("Stock Entry", rows[0].stock_entry)
		self.assertEqual((entry.docstatus, [r.qty for r in entry.items]), (0, [4, 1]))
		self.assertEqual([r.issued_qty for r in rows], [0, 0])
		# back and forth again: the draft still waits, no second entry
		move_card(ORDER, order.name, "Order accepted", comment="Wrong drawing")
		move_card(ORDER, order.name, "Materials issued")
		self.assertEqual(frappe.db.count("Stock Entry", {"production_order": order.name}), 1)
		frappe.set_user(h.STOREKEEPER)
		entry.reload()
		entry.submit()
		issued = lambda: [r.issued_qty for r in frappe.get_doc(ORDER, order.name).materials]  # noqa: E731
		self.assertEqual(issued(), [4, 1])
		entry.cancel()
		self.assertEqual(issued(), [0, 0])

	def test_linking_an_entry_to_an_order_needs_write_on_it(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(materials=[(self.item, 1)])
		frappe.set_user(STOCK_MANAGER)
		entry = frappe.new_doc("Stock Entry")
		entry.purpose = entry.stock_entry_type = "Material Issue"
		entry.company = h.company()
		entry.production_order = order.name
		entry.append("items", {"item_code": self.item, "qty": 1, "s_warehouse": h.warehouse()})
		self.assertRaises(frappe.PermissionError, entry.insert)
		entry.production_order = "PRD-NO-SUCH"
		self.assertRaises(frappe.ValidationError, entry.insert)
