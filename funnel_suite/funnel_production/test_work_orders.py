"""Production orders and ERPNext Work Orders on a site, as the workshop foreman (Manufacturing
User): "Create Work Order" for an item with a BOM (operations on a workstation), the refusals, Job
Cards completing and reopening the order's works, and the Work Order's completion (Material
Transfer for Manufacture, then Manufacture, through ERPNext's make_stock_entry) moving the order to
the ready stage — or, when the funnel does not allow it, notifying the foreman."""

from __future__ import annotations

import frappe
from frappe.utils import add_to_date, flt, get_datetime, now_datetime

from funnel_suite.api import create_work_order, move_card
from funnel_suite.funnel_procurement.test_helpers import company, make_item, warehouse
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.funnel_production import work_orders
from funnel_suite.tests.utils import FunnelTestCase, count_queries, transitions, unique

ORDER = "Production Order"
_slot = [0]


def comments(order: str) -> list[str]:
	return frappe.get_all(
		"Comment",
		filters={"reference_doctype": ORDER, "reference_name": order, "comment_type": "Info"},
		pluck="content",
		order_by="creation asc",
	)


class TestWorkOrders(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		settings = frappe.get_doc("Production Settings")
		settings.stock_entry_purpose = "Material Issue"
		settings.submit_stock_entry = 1
		settings.work_order_ready_stage = ""
		settings.save()
		cls.company = company()
		cls.warehouse = warehouse()
		h.manufacturing_defaults()
		cls.cutting, cls.assembly = h.make_operations()
		cls.board = make_item()
		cls.cabinet = make_item()
		cls.bom = h.make_bom(cls.cabinet, cls.board, (cls.cutting, cls.assembly))
		cls.funnel = h.production_funnel()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	# --- fixtures ---------------------------------------------------------------------------

	def order(self, extra_works=(), user=h.FOREMAN, **values):
		"""An order for 2 cabinets: cutting in "Materials issued", assembly in "Cutting done"."""
		frappe.set_user(user)
		works = [
			{
				"description": "Cut the panels",
				"operation": self.cutting,
				"stage": "Materials issued",
				"executor": h.EXECUTOR,
				"planned_hours": 1,
			},
			{
				"description": "Assemble",
				"operation": self.assembly,
				"stage": "Cutting done",
				"planned_hours": 2,
			},
			*extra_works,
		]
		return frappe.get_doc(
			{
				"doctype": ORDER,
				"title": unique("Cabinet"),
				"company": self.company,
				"due_date": add_to_date(now_datetime(), days=10).date(),
				"item_code": self.cabinet,
				"qty": 2,
				"works": works,
				**values,
			}
		).insert()

	def submitted_work_order(self, order) -> frappe._dict:
		frappe.set_user(h.FOREMAN)
		wo = frappe.get_doc("Work Order", create_work_order(order.name))
		wo.submit()
		return wo

	def job_card(self, wo, operation: str):
		return frappe.get_doc("Job Card", {"work_order": wo.name, "operation": operation})

	def complete_card(self, wo, operation: str, minutes: int):
		card = self.job_card(wo, operation)
		_slot[0] += 1
		start = add_to_date(get_datetime("2026-01-05 08:00:00"), days=_slot[0])
		card.append(
			"time_logs",
			{
				"from_time": start,
				"to_time": add_to_date(start, minutes=minutes),
				"completed_qty": card.for_quantity,
			},
		)
		card.save()
		card.submit()
		return card

	def stage(self, order: str) -> str:
		return frappe.db.get_value(ORDER, order, "funnel_stage")

	def work(self, order: str, operation: str):
		return frappe.db.get_value(
			"Production Work",
			{"parent": order, "operation": operation},
			["status", "actual_hours", "completed_on", "todo"],
			as_dict=True,
		)

	def manufacture(self, wo):
		"""Stock for the materials, then ERPNext's own entries: transfer, then manufacture."""
		from erpnext.manufacturing.doctype.work_order.work_order import make_stock_entry

		h.receive(self.board, 10)
		frappe.set_user(h.FOREMAN)
		for purpose in ("Material Transfer for Manufacture", "Manufacture"):
			entry = frappe.get_doc(make_stock_entry(wo.name, purpose, wo.qty))
			entry.insert()
			entry.submit()
		return entry

	# --- Create Work Order ------------------------------------------------------------------

	def test_the_foreman_creates_a_draft_work_order_linked_both_ways(self):
		customer = h.make_customer()
		so = h.make_sales_order(customer, self.cabinet, qty=2)
		h.make_planner()
		# a foreman who also reads sales orders makes the order for one
		order = self.order(user=h.PLANNER, customer=customer, source_doctype="Sales Order", source_name=so)
		frappe.set_user(h.FOREMAN)
		name = create_work_order(order.name)
		wo = frappe.get_doc("Work Order", name)
		self.assertEqual(wo.docstatus, 0)
		self.assertEqual(
			(wo.production_item, flt(wo.qty), wo.bom_no, wo.company, wo.sales_order, wo.production_order),
			(self.cabinet, 2.0, self.bom, self.company, so, order.name),
		)
		self.assertEqual(str(wo.expected_delivery_date), str(order.due_date))
		self.assertEqual([op.operation for op in wo.operations], [self.cutting, self.assembly])
		self.assertIn(name, comments(order.name)[-1])
		# the order's connections list its Work Orders and Job Cards (the link field on both)
		from funnel_suite.funnel_production.doctype.production_order.production_order_dashboard import (
			get_data,
		)

		data = get_data()
		self.assertEqual(data["fieldname"], "production_order")
		self.assertIn("Work Order", [i for t in data["transactions"] for i in t["items"]])
		# the link is the app's: a hand-typed value on the Work Order is put back
		other = self.order()
		wo.production_order = other.name
		wo.save()
		self.assertEqual(frappe.db.get_value("Work Order", name, "production_order"), order.name)
		# its Job Cards carry the order
		wo.submit()
		self.assertEqual(self.job_card(wo, self.cutting).production_order, order.name)

	def test_create_work_order_refuses_what_cannot_be_made(self):
		frappe.set_user(h.FOREMAN)
		no_item = h.make_order()
		with self.assertRaises(frappe.ValidationError) as caught:
			create_work_order(no_item.name)
		self.assertIn("Item", str(caught.exception))
		no_qty = h.make_order(item_code=self.cabinet, qty=0)
		with self.assertRaises(frappe.ValidationError) as caught:
			create_work_order(no_qty.name)
		self.assertIn("Quantity", str(caught.exception))
		frappe.set_user("Administrator")
		plain = make_item()
		frappe.set_user(h.FOREMAN)
		no_bom = h.make_order(item_code=plain, qty=1)
		with self.assertRaises(frappe.ValidationError) as caught:
			create_work_order(no_bom.name)
		self.assertIn("BOM", str(caught.exception))
		self.assertIn(plain, str(caught.exception))
		self.assertRaises(frappe.DoesNotExistError, create_work_order, "PRD-no-such-order")
		cancelled = self.order()
		move_card(ORDER, cancelled.name, "Cancelled")
		with self.assertRaises(frappe.ValidationError) as caught:
			create_work_order(cancelled.name)
		self.assertIn("Cancelled", str(caught.exception))
		order = self.order()
		first = create_work_order(order.name)
		with self.assertRaises(frappe.ValidationError) as caught:
			create_work_order(order.name)
		self.assertIn(first, str(caught.exception))
		self.assertEqual(frappe.db.count("Work Order", {"production_order": order.name}), 1)
		# once the draft is deleted, a new Work Order may be made
		frappe.delete_doc("Work Order", first)
		self.assertTrue(create_work_order(order.name))

	def test_a_sales_user_and_a_storekeeper_may_not_create_a_work_order(self):
		order = self.order()
		for user in (h.SALES_USER, h.STOREKEEPER, h.EXECUTOR):
			frappe.set_user(user)
			self.assertRaises(frappe.PermissionError, create_work_order, order.name)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists("Work Order", {"production_order": order.name}))

	# --- Job Cards complete the works ---------------------------------------------------------

	def test_a_job_card_completes_the_works_of_its_operation_and_its_cancel_reopens_them(self):
		order = self.order()
		move_card(ORDER, order.name, "Materials issued")  # the executor's task opens
		todo = self.work(order.name, self.cutting).todo
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Open")
		wo = self.submitted_work_order(order)
		card = self.complete_card(wo, self.cutting, minutes=90)
		work = self.work(order.name, self.cutting)
		self.assertEqual((work.status, flt(work.actual_hours)), ("Done", 1.5))
		self.assertTrue(work.completed_on)
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Closed")
		self.assertEqual(self.work(order.name, self.assembly).status, "Pending")
		self.assertIn(card.name, comments(order.name)[-1])
		# the stage check sees the work done: the order moves on
		move_card(ORDER, order.name, "Cutting done")
		self.assertEqual(self.stage(order.name), "Cutting done")
		# cancelling the card reopens the work: no hours, no completion, logged on the timeline
		card.reload()
		card.cancel()
		work = self.work(order.name, self.cutting)
		self.assertEqual((work.status, flt(work.actual_hours), work.completed_on), ("Pending", 0.0, None))
		self.assertIn("cancelled", comments(order.name)[-1])

	def test_the_job_card_hook_runs_as_many_queries_for_5_works_as_for_50(self):
		def extra(n):
			return [{"description": f"Other {i}", "stage": "Assembly done"} for i in range(n)]

		costs = []
		for n in (5, 50):
			order = self.order(extra_works=extra(n))
			wo = self.submitted_work_order(order)
			card = self.complete_card(wo, self.cutting, minutes=30)
			frappe.db.set_value(
				"Production Work", {"parent": order.name, "operation": self.cutting}, "status", "Pending"
			)
			hook = count_queries(
				lambda o=order.name, c=card: work_orders.sync_operation_works(o, self.cutting, c)
			)
			frappe.db.set_value(
				"Production Work", {"parent": order.name, "operation": self.cutting}, "status", "Pending"
			)
			save = count_queries(lambda o=order.name: frappe.get_doc(ORDER, o).save())
			costs.append(hook - save)
		self.assertEqual(costs[0], costs[1], "the Job Card hook's queries beyond a save grow with the works")

	# --- the Work Order's completion moves the order -----------------------------------------

	def test_a_completed_work_order_walks_the_order_to_the_ready_stage(self):
		order = self.order()
		wo = self.submitted_work_order(order)
		self.complete_card(wo, self.cutting, minutes=30)
		self.complete_card(wo, self.assembly, minutes=60)
		entry = self.manufacture(wo)
		self.assertEqual(frappe.db.get_value("Work Order", wo.name, "status"), "Completed")
		self.assertEqual(self.stage(order.name), "Ready for delivery")
		log = transitions(ORDER, order.name)
		self.assertEqual(
			[row["to_stage"] for row in log][-5:],
			["Materials issued", "Cutting done", "Assembly done", "Quality checked", "Ready for delivery"],
		)
		for row in log[-5:]:
			self.assertEqual(row["moved_by"], h.FOREMAN)
			self.assertIn(wo.name, row["comment"])
		# cancelling the manufacture moves nothing back: the timeline says so
		frappe.set_user(h.FOREMAN)
		entry.reload()
		entry.cancel()
		self.assertEqual(self.stage(order.name), "Ready for delivery")
		self.assertIn(entry.name, comments(order.name)[-1])

	def test_a_blocked_walk_notifies_the_foreman_and_the_submit_succeeds(self):
		order = self.order(
			extra_works=[
				{"description": "Sand the <b>edges</b>", "stage": "Cutting done", "executor": h.EXECUTOR}
			]
		)
		wo = self.submitted_work_order(order)
		self.complete_card(wo, self.cutting, minutes=30)
		self.complete_card(wo, self.assembly, minutes=60)
		entry = self.manufacture(wo)
		self.assertEqual(frappe.db.get_value("Stock Entry", entry.name, "docstatus"), 1)
		self.assertEqual(frappe.db.get_value("Work Order", wo.name, "status"), "Completed")
		# it went as far as the rules allow: Cutting done is left only when its works are done
		self.assertEqual(self.stage(order.name), "Cutting done")
		note = frappe.get_last_doc(
			"Notification Log", {"document_type": ORDER, "document_name": order.name, "for_user": h.FOREMAN}
		)
		self.assertIn("Assembly done", note.email_content)
		self.assertIn("&lt;b&gt;edges&lt;/b&gt;", note.email_content)
		self.assertIn(wo.name, comments(order.name)[-1])

	def test_the_walk_stops_before_the_storekeepers_stage_when_materials_are_left(self):
		h.receive(self.board, 5)
		frappe.set_user(h.FOREMAN)
		order = self.order(materials=[{"item_code": self.board, "qty": 1, "warehouse": self.warehouse}])
		wo = self.submitted_work_order(order)
		self.complete_card(wo, self.cutting, minutes=30)
		self.complete_card(wo, self.assembly, minutes=60)
		self.manufacture(wo)
		self.assertEqual(self.stage(order.name), "Order accepted")
		self.assertFalse(frappe.db.exists("Stock Entry", {"production_order": order.name}))
		self.assertIn("Materials issued", comments(order.name)[-1])

	def test_the_ready_stage_can_be_set_and_must_be_an_open_stage(self):
		order = self.order()
		frappe.set_user(h.MANAGER)  # Manufacturing Manager: Production Settings are theirs
		settings = frappe.get_doc("Production Settings")
		settings.work_order_ready_stage = "Delivered"
		self.assertRaises(frappe.ValidationError, settings.save)
		settings = frappe.get_doc("Production Settings")
		settings.work_order_ready_stage = " Quality checked "
		settings.save()
		self.assertEqual(work_orders.target_stage(order), "Quality checked")
		settings.work_order_ready_stage = ""
		settings.save()
		self.assertEqual(work_orders.target_stage(order), "Ready for delivery")
