"""Opening a Production Order from a submitted Sales Order and from a won deal (the Create buttons'
methods and the hand-off), and completing a work with its hours, as the ordinary roles and as the
ones that must be refused."""

from __future__ import annotations

import frappe

from funnel_suite.api import (
	complete_production_work,
	make_production_order_from_opportunity,
	make_production_order_from_sales_order,
	move_card,
)
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity

ORDER = "Production Order"


class TestCreateOrders(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		h.make_planner()
		cls.item = h.make_item()
		cls.customer = h.make_customer()
		cls.deals = make_funnel("Opportunity")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def test_from_a_submitted_sales_order(self):
		so = h.make_sales_order(self.customer, self.item, qty=3)
		frappe.set_user(h.STOREKEEPER)
		order = make_production_order_from_sales_order(so)
		self.assertEqual(
			(order.customer, order.source_doctype, order.source_name, order.item_code, order.qty),
			(self.customer, "Sales Order", so, self.item, 3),
		)
		order.insert()
		self.assertEqual(order.funnel_stage, "Order accepted")
		# the salesperson of the order reads it (through the sales order), read-only
		frappe.set_user(h.SALES_USER)
		self.assertTrue(frappe.has_permission(ORDER, "read", order.name))
		self.assertFalse(frappe.has_permission(ORDER, "write", order.name))
		self.assertIn(order.name, frappe.get_list(ORDER, pluck="name"))
		self.assertRaises(frappe.PermissionError, make_production_order_from_sales_order, so)

	def test_a_draft_sales_order_is_refused(self):
		so = h.make_sales_order(self.customer, self.item, submit=False)
		frappe.set_user(h.STOREKEEPER)
		with self.assertRaises(frappe.ValidationError) as caught:
			make_production_order_from_sales_order(so)
		self.assertIn("not submitted", str(caught.exception))

	def test_from_a_won_deal_only(self):
		frappe.set_user(h.PLANNER)
		deal = make_opportunity(
			funnel=self.deals.name, opportunity_from="Customer", party_name=self.customer, company=h.company()
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			make_production_order_from_opportunity(deal.name)
		self.assertIn("not won", str(caught.exception))
		move_card("Opportunity", deal.name, "Contract signed")
		order = make_production_order_from_opportunity(deal.name)
		self.assertEqual((order.customer, order.source_name), (self.customer, deal.name))
		order.insert()
		frappe.set_user(h.FOREMAN)  # reads no deals
		self.assertRaises(frappe.PermissionError, make_production_order_from_opportunity, deal.name)

	def test_a_create_hand_off_opens_the_order_when_the_deal_is_won(self):
		production = frappe.db.get_value("Funnel", {"document_type": ORDER, "is_default": 1}, "name")
		self.deals.append(
			"handoffs", {"trigger_stage": "Contract signed", "action": "Create", "target_funnel": production}
		)
		self.deals.save()
		frappe.set_user(h.SALES_USER)  # no right on orders: the hand-off acts as the app
		deal = make_opportunity(
			funnel=self.deals.name, opportunity_from="Customer", party_name=self.customer, company=h.company()
		)
		move_card("Opportunity", deal.name, "Contract signed")
		frappe.set_user("Administrator")
		order = frappe.get_doc(ORDER, {"source_name": deal.name})
		self.assertEqual(
			(order.funnel, order.funnel_stage, order.funnel_source_doctype, order.funnel_source_name),
			(production, "Order accepted", "Opportunity", deal.name),
		)

	def test_completing_a_work_with_hours(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(
			works=[("Cut", "Materials issued", h.EXECUTOR), ("Glue", "Materials issued", h.FOREMAN)]
		)
		move_card(ORDER, order.name, "Materials issued")
		cut, glue = order.works
		# someone with neither write nor a work is refused; an executor only for their own work
		frappe.set_user(h.OUTSIDER)
		self.assertRaises(frappe.PermissionError, complete_production_work, order.name, cut.name, 1)
		frappe.set_user(h.EXECUTOR)
		self.assertRaises(frappe.PermissionError, complete_production_work, order.name, glue.name, 1)
		self.assertRaises(frappe.ValidationError, complete_production_work, order.name, cut.name, -2)
		self.assertRaises(frappe.ValidationError, complete_production_work, order.name, cut.name, "lots")
		result = complete_production_work(order.name, cut.name, "2.5")
		self.assertEqual((result["status"], result["actual_hours"]), ("Done", 2.5))
		row = frappe.db.get_value(
			"Production Work", cut.name, ["status", "actual_hours", "todo"], as_dict=True
		)
		self.assertEqual((row.status, row.actual_hours), ("Done", 2.5))
		self.assertEqual(frappe.db.get_value("ToDo", row.todo, "status"), "Closed")
		# the foreman completes the rest, then the order moves on
		frappe.set_user(h.FOREMAN)
		complete_production_work(order.name, glue.name, 1)
		move_card(ORDER, order.name, "Cutting done")
		self.assertRaises(frappe.ValidationError, complete_production_work, order.name, "no-such-row", 1)
