"""Procurement Case as a card: who opens, works, reads and is refused; the default funnel."""

from __future__ import annotations

import frappe

from funnel_suite.funnel_procurement import test_helpers as h
from funnel_suite.funnels.card import StageChecksFailedError
from funnel_suite.funnels.owned import app_writes
from funnel_suite.tests.utils import FunnelTestCase, make_opportunity, other_company, transitions


class TestProcurementCase(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		cls.company = h.company()
		cls.other = other_company(cls.company)
		h.limit_to_company(h.SALES_USER, cls.company)
		cls.supplier = h.make_supplier()
		cls.item = h.make_item()
		cls.deal = make_opportunity(company=cls.company)
		cls.deal_other = make_opportunity(company=cls.other)
		cls.funnel = frappe.db.get_value("Funnel", {"preset": "procurement/Procurement"}, "name")

	def tearDown(self):
		frappe.set_user("Administrator")

	def test_the_procurement_funnel_is_the_default_with_a_board(self):
		funnel = frappe.get_doc("Funnel", self.funnel)
		self.assertEqual(funnel.document_type, "Procurement Case")
		self.assertTrue(funnel.is_default)
		self.assertEqual(
			[s.stage_type for s in funnel.stages], ["Open"] * 6 + ["Won", "Lost"], "stages as the issue lists"
		)
		self.assertEqual(
			frappe.db.get_value("Kanban Board", funnel.kanban_board, "reference_doctype"), "Procurement Case"
		)

	def test_buyer_opens_a_case_in_the_entry_stage(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(items=[(self.item, 5)])
		self.assertEqual(case.funnel, self.funnel)
		self.assertEqual(case.funnel_stage, "Need registered")
		self.assertEqual(case.buyer, h.BUYER)
		self.assertEqual(case.items[0].schedule_date, case.required_by)
		log = transitions("Procurement Case", case.name)
		self.assertEqual([(r.to_stage, r.moved_by) for r in log], [("Need registered", h.BUYER)])

	def test_stage_needs_its_supplier_and_the_move_is_logged(self):
		from funnel_suite.api import move_card

		frappe.set_user(h.BUYER)
		case = h.make_case()
		with self.assertRaises(StageChecksFailedError) as caught:  # stage check supplier_vetted
			move_card("Procurement Case", case.name, "Supplier checked")
		self.assertIn("Supplier", str(caught.exception))
		frappe.local.message_log = []
		case.reload()
		case.supplier = self.supplier
		case.save()
		self.assertTrue(move_card("Procurement Case", case.name, "Supplier checked")["moved"])
		self.assertEqual(transitions("Procurement Case", case.name)[-1].to_stage, "Supplier checked")

	def test_progress_figures_are_the_apps(self):
		frappe.set_user(h.BUYER)
		case = h.make_case(received_percent=50, paid_percent=100)
		stored = frappe.db.get_value("Procurement Case", case.name, ["received_percent", "paid_percent"])
		self.assertEqual(tuple(stored), (0, 0))
		case.billed_percent = 70
		case.save()
		self.assertEqual(frappe.db.get_value("Procurement Case", case.name, "billed_percent"), 0)
		with app_writes():
			case.reload()
			case.billed_percent = 70
			case.save()
		self.assertEqual(frappe.db.get_value("Procurement Case", case.name, "billed_percent"), 70)

	def test_progress_figures_cannot_be_set_over_rest(self):
		from frappe.api.v1 import update_doc

		frappe.set_user(h.BUYER)
		case = h.make_case()
		frappe.local.form_dict = frappe._dict(
			data=frappe.as_json({"received_percent": 100, "paid_percent": 100, "title": "Bearings, 2 sets"})
		)
		try:
			update_doc("Procurement Case", case.name)
		finally:
			frappe.local.form_dict = frappe._dict()
		stored = frappe.db.get_value(
			"Procurement Case", case.name, ["received_percent", "paid_percent", "title"]
		)
		self.assertEqual(tuple(stored), (0, 0, "Bearings, 2 sets"))

	def test_bad_input_is_refused_with_a_message(self):
		frappe.set_user(h.BUYER)
		with self.assertRaises(frappe.ValidationError) as caught:
			h.make_case(items=[(self.item, 0)])
		self.assertIn("greater than 0", str(caught.exception))
		with self.assertRaises(frappe.ValidationError) as caught:
			h.make_case(serves_doctype="Opportunity")
		self.assertIn("Serves", str(caught.exception))
		case = h.make_case(items=[(self.item, 1)])
		case.items[0].warehouse = h.warehouse(self.other)
		with self.assertRaises(frappe.ValidationError) as caught:
			case.save()
		self.assertIn(h.warehouse(self.other), str(caught.exception))
		frappe.local.message_log = []

	def test_a_case_serves_only_a_deal_its_author_may_read(self):
		frappe.set_user(h.BUYER)  # Purchase User only: ERPNext gives no read on Opportunities
		with self.assertRaises(frappe.PermissionError):
			h.make_case(serves_doctype="Opportunity", serves=self.deal.name)
		frappe.set_user(h.BUYER_SALES)
		case = h.make_case(serves_doctype="Opportunity", serves=self.deal.name)
		self.assertEqual(case.serves, self.deal.name)

	def test_salesperson_reads_the_cases_of_the_deals_they_read_and_changes_none(self):
		frappe.set_user(h.BUYER_SALES)
		mine = h.make_case(serves_doctype="Opportunity", serves=self.deal.name)
		other = h.make_case(serves_doctype="Opportunity", serves=self.deal_other.name)
		plain = h.make_case()
		frappe.set_user(h.SALES_USER)  # limited to the test company: cannot read deal_other
		self.assertTrue(frappe.has_permission("Procurement Case", "read", mine.name))
		self.assertFalse(frappe.has_permission("Procurement Case", "write", mine.name))
		self.assertFalse(frappe.has_permission("Procurement Case", "read", other.name))
		self.assertFalse(frappe.has_permission("Procurement Case", "read", plain.name))
		listed = set(frappe.get_list("Procurement Case", pluck="name", limit_page_length=0))
		self.assertIn(mine.name, listed)
		self.assertNotIn(other.name, listed)
		self.assertNotIn(plain.name, listed)
		doc = frappe.get_doc("Procurement Case", mine.name)
		doc.title = "Changed by sales"
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		with self.assertRaises(frappe.PermissionError):
			h.make_case()
		# the move log follows the case
		moves = frappe.get_list(
			"Funnel Transition", filters={"reference_doctype": "Procurement Case"}, pluck="reference_name"
		)
		self.assertIn(mine.name, moves)
		self.assertNotIn(plain.name, moves)

	def test_buyers_read_the_move_log_of_the_cases_they_read(self):
		from funnel_suite.api import get_card_state, move_card

		frappe.set_user(h.BUYER)
		case = h.make_case(supplier=h.make_supplier_as_admin())
		move_card("Procurement Case", case.name, "Supplier checked")
		for user in (h.BUYER, h.PURCHASE_MANAGER):
			frappe.set_user(user)
			history = get_card_state("Procurement Case", case.name)["history"]  # the case's form
			self.assertEqual([r.to_stage for r in history][:1], ["Supplier checked"], user)
		frappe.set_user(h.STOCK_USER)  # no right on cases: nor on their moves
		with self.assertRaises(frappe.PermissionError):
			get_card_state("Procurement Case", case.name)
		# the move log list opens for every desk user, with the moves of the cards they read: none
		self.assertEqual(
			frappe.get_list("Funnel Transition", filters={"reference_name": case.name}, pluck="name"), []
		)
		row = frappe.get_all("Funnel Transition", filters={"reference_name": case.name}, pluck="name")[0]
		self.assertFalse(frappe.has_permission("Funnel Transition", "read", row))

	def test_purchase_manager_works_and_deletes_buyer_does_not_delete(self):
		frappe.set_user(h.BUYER)
		case = h.make_case()
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Procurement Case", case.name)
		frappe.set_user(h.PURCHASE_MANAGER)
		self.assertIn(case.name, frappe.get_list("Procurement Case", pluck="name", limit_page_length=0))
		frappe.delete_doc("Procurement Case", case.name)
		self.assertEqual(transitions("Procurement Case", case.name), [])

	def test_other_roles_are_refused(self):
		frappe.set_user(h.BUYER)
		case = h.make_case()
		for user in (h.STOCK_USER, h.FUNNEL_MANAGER):
			frappe.set_user(user)
			self.assertFalse(frappe.has_permission("Procurement Case", "read", case.name), user)
			with self.assertRaises(frappe.PermissionError, msg=user):
				frappe.get_list("Procurement Case")
			with self.assertRaises(frappe.PermissionError, msg=user):
				h.make_case()

	def test_the_served_deal_and_the_customer_journey_show_the_case(self):
		from funnel_suite.api import get_customer_journey

		customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": h.unique("Proc Customer"),
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}),
			}
		).insert()
		deal = make_opportunity(company=self.company, opportunity_from="Customer", party_name=customer.name)
		frappe.set_user(h.BUYER_SALES)
		case = h.make_case(serves_doctype="Opportunity", serves=deal.name)
		frappe.set_user(h.SALES_USER)
		dashboard = frappe.get_meta("Opportunity").get_dashboard_data()
		self.assertEqual(dashboard.non_standard_fieldnames.get("Procurement Case"), "serves")
		self.assertTrue(any("Procurement Case" in t["items"] for t in dashboard.transactions))
		journey = get_customer_journey(customer.name)
		self.assertIn(("Procurement Case", case.name), [(c["doctype"], c["name"]) for c in journey["cards"]])
		frappe.set_user(h.FUNNEL_MANAGER)  # reads no case
		from funnel_suite.funnel_procurement.dashboard import customer_cases

		self.assertEqual(customer_cases(customer.name), {})
