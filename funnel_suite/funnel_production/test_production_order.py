"""Production orders on a site, as the workshop's own roles: the strict sequence on every path
(move_card, the form's save, a Kanban drag), the works check, the storekeeper's Stock Entry with
and without stock and its cancel, the executors' tasks, and who may see and change an order."""

from __future__ import annotations

import frappe
from frappe.desk.doctype.kanban_board.kanban_board import update_order_for_single_card

from funnel_suite.api import move_card
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.funnels.card import StageChecksFailedError, StageMoveError
from funnel_suite.tests.utils import FunnelTestCase, transitions

ORDER = "Production Order"


def listed() -> list[str]:
	"""The orders the session user's list shows (a user who reads none is refused the list)."""
	if not frappe.has_permission(ORDER, "read"):
		return []
	return frappe.get_list(ORDER, pluck="name")


class TestProductionOrder(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		settings = frappe.get_doc("Production Settings")
		settings.stock_entry_purpose = "Material Issue"
		settings.submit_stock_entry = 1
		settings.save()
		cls.item = h.make_item()
		cls.funnel = h.production_funnel()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def stage(self, name):
		return frappe.db.get_value(ORDER, name, "funnel_stage")

	def test_a_new_order_enters_the_production_funnel_at_its_first_stage(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order()
		self.assertEqual((order.funnel, order.funnel_stage), (self.funnel, "Order accepted"))

	def test_a_new_order_cannot_start_further_on(self):
		frappe.set_user(h.FOREMAN)
		with self.assertRaises(StageMoveError):
			h.make_order(funnel=self.funnel, funnel_stage="Assembly done")

	def test_strict_sequence_through_move_card_form_and_kanban(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order()
		with self.assertRaises(StageMoveError) as caught:
			move_card(ORDER, order.name, "Cutting done")
		self.assertIn("Materials issued", str(caught.exception))
		move_card(ORDER, order.name, "Materials issued")
		move_card(ORDER, order.name, "Cutting done")
		# the form: saving a skipped stage is refused like move_card
		doc = frappe.get_doc(ORDER, order.name)
		doc.funnel_stage = "Quality checked"
		self.assertRaises(StageMoveError, doc.save)
		# Kanban: a drag back gives no comment and is refused; a drag forward moves the order
		board = frappe.db.get_value("Funnel", self.funnel, "kanban_board")
		with self.assertRaises(StageMoveError) as caught:
			update_order_for_single_card(board, order.name, "Cutting done", "Materials issued", 0, 0)
		self.assertIn("comment", str(caught.exception))
		update_order_for_single_card(board, order.name, "Cutting done", "Assembly done", 0, 0)
		self.assertEqual(self.stage(order.name), "Assembly done")

	def test_a_move_back_needs_a_comment_and_logs_it(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order()
		move_card(ORDER, order.name, "Materials issued")
		self.assertRaises(StageMoveError, move_card, ORDER, order.name, "Order accepted", "  ")
		self.assertEqual(self.stage(order.name), "Materials issued")
		move_card(ORDER, order.name, "Order accepted", comment="Wrong board thickness")
		self.assertEqual(transitions(ORDER, order.name)[-1]["comment"], "Wrong board thickness")

	def test_open_works_hold_the_order_and_are_listed_with_their_executors(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(
			works=[
				("Cut the panels", "Materials issued", h.EXECUTOR),
				("Cut the <b>doors</b>", "Materials issued", ""),
				("Assemble", "Cutting done", h.EXECUTOR),
			]
		)
		move_card(ORDER, order.name, "Materials issued")
		with self.assertRaises(StageChecksFailedError) as caught:
			move_card(ORDER, order.name, "Cutting done")
		message = str(caught.exception)
		for part in ("Cut the panels", h.EXECUTOR, "&lt;b&gt;doors&lt;/b&gt;", "no executor"):
			self.assertIn(part, message)
		self.assertNotIn("Assemble", message)
		# cancelling is not held by the works
		doc = frappe.get_doc(ORDER, order.name)
		for row in doc.works[:2]:
			row.status = "Done"
		doc.save()
		self.assertTrue(all(r.completed_on for r in doc.works[:2]))
		move_card(ORDER, order.name, "Cutting done")
		self.assertEqual(self.stage(order.name), "Cutting done")

	def test_a_work_naming_a_stage_the_funnel_lacks_is_refused(self):
		frappe.set_user(h.FOREMAN)
		with self.assertRaises(frappe.ValidationError) as caught:
			h.make_order(works=[("Paint", "Painting done", "")])
		self.assertIn("Painting done", str(caught.exception))

	def test_the_storekeepers_stage_issues_the_materials_and_cancel_restores_them(self):
		h.receive(self.item, 20)
		frappe.set_user(h.FOREMAN)
		order = h.make_order(materials=[(self.item, 8)])
		move_card(ORDER, order.name, "Materials issued")
		row = frappe.get_doc(ORDER, order.name).materials[0]
		self.assertEqual(row.issued_qty, 8)
		entry = frappe.get_doc("Stock Entry", row.stock_entry)
		self.assertEqual(
			(entry.docstatus, entry.purpose, entry.production_order), (1, "Material Issue", order.name)
		)
		self.assertEqual(entry.items[0].qty, 8)
		frappe.set_user("Administrator")
		entry.cancel()
		self.assertEqual(frappe.db.get_value("Production Material", row.name, "issued_qty"), 0)

	def test_not_enough_stock_names_item_warehouse_needed_available_and_writes_nothing(self):
		item = h.make_item()
		h.receive(item, 3)
		frappe.set_user(h.FOREMAN)
		order = h.make_order(materials=[(item, 5)])
		entries_before = frappe.db.count("Stock Entry")
		with self.assertRaises(StageChecksFailedError) as caught:
			move_card(ORDER, order.name, "Materials issued")
		message = str(caught.exception)
		for part in (item, h.warehouse(), "needed 5", "available 3"):
			self.assertIn(part, message)
		self.assertEqual(self.stage(order.name), "Order accepted")
		self.assertEqual(frappe.db.count("Stock Entry"), entries_before)
		self.assertEqual(len(transitions(ORDER, order.name)), 1)

	def test_a_user_may_not_set_issued_quantities_by_hand(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(materials=[(self.item, 2)])
		order.materials[0].issued_qty = 2
		order.save()
		self.assertEqual(frappe.db.get_value("Production Material", order.materials[0].name, "issued_qty"), 0)

	def test_entering_a_stage_opens_the_executors_tasks_and_closing_one_marks_the_work_done(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(works=[("Cut the panels", "Materials issued", h.EXECUTOR)])
		self.assertFalse(frappe.db.exists("ToDo", {"reference_name": order.name, "allocated_to": h.EXECUTOR}))
		move_card(ORDER, order.name, "Materials issued")
		todo = frappe.db.get_value("Production Work", order.works[0].name, "todo")
		self.assertEqual(frappe.db.get_value("ToDo", todo, ["allocated_to", "status"]), (h.EXECUTOR, "Open"))
		frappe.set_user(h.EXECUTOR)
		doc = frappe.get_doc("ToDo", todo)
		doc.status = "Closed"
		doc.save()
		work = frappe.db.get_value(
			"Production Work", order.works[0].name, ["status", "completed_on"], as_dict=True
		)
		self.assertEqual(work.status, "Done")
		self.assertTrue(work.completed_on)

	def test_who_sees_and_changes_an_order(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(works=[("Cut", "Materials issued", h.EXECUTOR)])
		frappe.set_user(h.EXECUTOR)
		self.assertTrue(frappe.has_permission(ORDER, "read", order.name))
		self.assertFalse(frappe.has_permission(ORDER, "write", order.name))
		self.assertIn(order.name, listed())
		self.assertRaises(frappe.PermissionError, move_card, ORDER, order.name, "Materials issued")
		frappe.set_user(h.OUTSIDER)
		self.assertFalse(frappe.has_permission(ORDER, "read", order.name))
		self.assertNotIn(order.name, listed())
		frappe.set_user(h.SALES_USER)
		self.assertFalse(frappe.has_permission(ORDER, "read", order.name))
		self.assertRaises(frappe.PermissionError, h.make_order)
		frappe.set_user(h.STOREKEEPER)
		self.assertTrue(frappe.has_permission(ORDER, "write", order.name))

	def test_an_executor_removed_from_the_works_no_longer_sees_the_order(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(works=[("Cut", "Materials issued", h.EXECUTOR)])
		order.works[0].executor = h.OUTSIDER
		order.save()
		frappe.set_user(h.EXECUTOR)
		self.assertFalse(frappe.has_permission(ORDER, "read", order.name))
		self.assertNotIn(order.name, listed())
		frappe.set_user(h.OUTSIDER)
		self.assertTrue(frappe.has_permission(ORDER, "read", order.name))

	def test_what_a_move_adds_to_a_save_does_not_grow_with_the_works(self):
		from funnel_suite.tests.utils import count_queries

		frappe.set_user(h.FOREMAN)

		def order(rows):
			doc = h.make_order(works=[(f"W{i}", "Cutting done", "") for i in range(rows)])
			move_card(ORDER, doc.name, "Materials issued")
			return doc.name

		added = []
		for name in (order(2), order(12)):
			saved = count_queries(lambda n=name: frappe.get_doc(ORDER, n).save())
			moved = count_queries(lambda n=name: move_card(ORDER, n, "Cutting done"))
			added.append(moved - saved)
		self.assertEqual(added[0], added[1])

	def test_marking_a_work_done_on_the_form_closes_its_task(self):
		frappe.set_user(h.FOREMAN)
		order = h.make_order(works=[("Cut the doors", "Materials issued", h.EXECUTOR)])
		move_card(ORDER, order.name, "Materials issued")
		doc = frappe.get_doc(ORDER, order.name)
		doc.works[0].status = "Done"
		doc.save()
		self.assertEqual(frappe.db.get_value("ToDo", doc.works[0].todo, "status"), "Closed")
