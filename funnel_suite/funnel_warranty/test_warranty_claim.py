"""A Warranty Claim through the starter route, as a support agent (Maintenance User): automatic
checks, answers, branch funnels, re-routing, ERPNext's status in step; who is refused."""

from __future__ import annotations

import frappe

from funnel_suite.api import answer_warranty_question, get_warranty_state, move_card
from funnel_suite.funnel_warranty import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, transitions


class TestWarrantyClaim(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		cls.customer = h.make_customer()
		cls.item = h.make_item()
		cls.under = h.make_serial(cls.item, warranty_days=200)
		cls.past = h.make_serial(cls.item, warranty_days=-3)

	def tearDown(self):
		frappe.set_user("Administrator")

	def _claim(self, serial):
		frappe.set_user(h.SUPPORT)
		return h.make_claim(self.customer, serial=serial, item=self.item)

	def test_the_starter_route_and_its_branch_funnels(self):
		root = frappe.get_doc("Warranty Route", h.ROUTE)
		self.assertTrue(root.is_active)
		leaves = frappe.get_all(
			"Warranty Route", filters={"node_kind": "Leaf"}, fields=["outcome", "branch_funnel"]
		)
		self.assertEqual(
			{leaf.outcome for leaf in leaves},
			{"Repair", "Replace", "Refund", "Paid repair offer", "Reject with explanation"},
		)
		for leaf in leaves:
			self.assertEqual(
				frappe.db.get_value("Funnel", leaf.branch_funnel, "document_type"), "Warranty Claim"
			)
		self.assertEqual(
			frappe.db.get_value("Funnel", {"document_type": "Warranty Claim", "is_default": 1}),
			"Warranty claims",
		)

	def test_serial_under_warranty_is_checked_automatically_and_answers_lead_to_repair(self):
		claim = self._claim(self.under)
		self.assertEqual(claim.warranty_route, h.ROUTE)
		self.assertEqual(
			[(r.node, r.answer, r.answered_by) for r in claim.warranty_decision_path],
			[(h.ROUTE, "Yes", "automatic")],
		)
		self.assertEqual(claim.warranty_node, "Defect confirmed?")
		self.assertEqual(
			(claim.funnel, claim.funnel_stage, claim.status), ("Warranty claims", "Claim registered", "Open")
		)

		state = answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		self.assertEqual(state["node"], "Repairable?")
		self.assertEqual(state["answers"], ["Repairable", "Not repairable"])
		state = answer_warranty_question(claim.name, "Repairable?", "Repairable")
		self.assertEqual((state["node"], state["outcome"]), ("Warranty repair", "Repair"))
		claim.reload()
		self.assertEqual((claim.funnel, claim.funnel_stage), ("Warranty repair", "Diagnosed"))
		self.assertEqual(claim.status, "Work In Progress")
		self.assertEqual(
			[(r.node, r.answer, r.answered_by) for r in claim.warranty_decision_path],
			[
				(h.ROUTE, "Yes", "automatic"),
				("Defect confirmed?", "Confirmed", h.SUPPORT),
				("Repairable?", "Repairable", h.SUPPORT),
			],
		)
		log = transitions("Warranty Claim", claim.name)
		self.assertEqual(
			[(r.from_funnel, r.funnel, r.to_stage, r.moved_by) for r in log][-1],
			("Warranty claims", "Warranty repair", "Diagnosed", h.SUPPORT),
		)

	def test_past_warranty_goes_to_paid_repair_on_save(self):
		claim = self._claim(self.past)
		self.assertEqual(claim.warranty_outcome, "Paid repair offer")
		self.assertEqual(claim.warranty_node, "Paid repair offer")
		self.assertEqual((claim.funnel, claim.funnel_stage), ("Paid repair", "Offer sent"))
		self.assertEqual(claim.status, "Work In Progress")
		self.assertEqual(
			[(r.answer, r.answered_by) for r in claim.warranty_decision_path], [("No", "automatic")]
		)

	def test_changing_an_earlier_answer_reroutes_moves_and_logs(self):
		claim = self._claim(self.under)
		answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		answer_warranty_question(claim.name, "Repairable?", "Not repairable")
		answer_warranty_question(claim.name, "Replacement available?", "In stock")
		claim.reload()
		self.assertEqual((claim.funnel, claim.warranty_outcome), ("Warranty replacement", "Replace"))

		frappe.set_user(h.SUPPORT_MANAGER)
		state = answer_warranty_question(claim.name, "Defect confirmed?", "Not confirmed")
		self.assertEqual(
			(state["node"], state["outcome"]), ("Rejected: no defect", "Reject with explanation")
		)
		claim.reload()
		self.assertEqual((claim.funnel, claim.funnel_stage), ("Warranty rejected", "Explanation sent"))
		self.assertEqual(
			[(r.node, r.answer, r.answered_by) for r in claim.warranty_decision_path],
			[(h.ROUTE, "Yes", "automatic"), ("Defect confirmed?", "Not confirmed", h.SUPPORT_MANAGER)],
		)
		last = transitions("Warranty Claim", claim.name)[-1]
		self.assertEqual(
			(last.from_funnel, last.funnel, last.to_stage, last.moved_by),
			("Warranty replacement", "Warranty rejected", "Explanation sent", h.SUPPORT_MANAGER),
		)
		note = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Warranty Claim",
				"reference_name": claim.name,
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertEqual(len(note), 1)
		for text in (
			"Is the defect confirmed on inspection? changed from Confirmed to Not confirmed",
			"Rejected: no defect",
			"Can the unit be repaired?: Not repairable",
			"Is a replacement unit available?: In stock",
		):
			self.assertIn(text, note[0])

		# back to a question: the claim leaves the branch for the claims' funnel and waits
		answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		claim.reload()
		self.assertEqual(claim.warranty_node, "Repairable?")
		self.assertEqual(
			(claim.funnel, claim.funnel_stage, claim.status), ("Warranty claims", "Claim registered", "Open")
		)

	def test_a_changed_serial_reroutes_but_a_closed_claim_stays(self):
		claim = self._claim(self.under)
		self.assertEqual(claim.warranty_node, "Defect confirmed?")
		claim.serial_no = self.past  # the agent corrects the serial: its warranty is over
		claim.save()
		self.assertEqual((claim.warranty_outcome, claim.funnel), ("Paid repair offer", "Paid repair"))
		self.assertEqual(
			[(r.answer, r.answered_by) for r in claim.warranty_decision_path], [("No", "automatic")]
		)
		move_card("Warranty Claim", claim.name, "Declined")
		claim.reload()
		self.assertEqual(claim.status, "Closed")
		claim.serial_no = self.under
		claim.save()  # a closed claim is not sent to another branch by an edit
		self.assertEqual(
			(claim.funnel, claim.funnel_stage, claim.status), ("Paid repair", "Declined", "Closed")
		)
		log = transitions("Warranty Claim", claim.name)
		self.assertEqual(log[-1].to_stage, "Declined")

	def test_status_closes_at_the_branch_won_and_lost_stages(self):
		claim = self._claim(self.past)
		for stage in ("Offer accepted", "Repaired", "Paid"):
			move_card("Warranty Claim", claim.name, stage)
		claim.reload()
		self.assertEqual(claim.status, "Closed")
		self.assertTrue(claim.resolution_date)
		other = self._claim(self.past)
		move_card("Warranty Claim", other.name, "Declined")
		self.assertEqual(frappe.db.get_value("Warranty Claim", other.name, "status"), "Closed")

	def test_bad_answers_name_the_question(self):
		claim = self._claim(self.under)
		with self.assertRaises(frappe.ValidationError) as caught:
			answer_warranty_question(claim.name, "Defect confirmed?", "Maybe")
		self.assertIn("Confirmed, Not confirmed", str(caught.exception))
		with self.assertRaises(frappe.ValidationError) as caught:
			answer_warranty_question(claim.name, h.ROUTE, "No")
		self.assertIn("automatic", str(caught.exception))
		with self.assertRaises(frappe.ValidationError) as caught:
			answer_warranty_question(claim.name, "Repairable?", "Repairable")
		self.assertIn("Defect confirmed?", str(caught.exception))
		frappe.local.message_log = []
		claim.reload()
		self.assertEqual(len(claim.warranty_decision_path), 1)

	def test_others_are_refused_and_owned_fields_stay(self):
		claim = self._claim(self.under)
		frappe.set_user(h.SALES)
		with self.assertRaises(frappe.PermissionError):
			answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		with self.assertRaises(frappe.PermissionError):
			get_warranty_state(claim.name)
		frappe.set_user(h.FUNNEL_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		frappe.local.message_log = []

		# the support agent cannot write the outcome, the node or the path by hand
		frappe.set_user(h.SUPPORT)
		doc = frappe.get_doc("Warranty Claim", claim.name)
		doc.warranty_outcome = "Refund"
		doc.warranty_node = "Warranty refund"
		doc.append(
			"warranty_decision_path", {"node": "Defect confirmed?", "answer": "Confirmed", "answered_by": "x"}
		)
		doc.save()
		doc.reload()
		self.assertEqual((doc.warranty_outcome, doc.warranty_node), (None, "Defect confirmed?"))
		self.assertEqual(len(doc.warranty_decision_path), 1)
		self.assertEqual(doc.funnel, "Warranty claims")

	def test_the_support_agent_opens_the_move_log_of_the_claims_they_read(self):
		claim = self._claim(self.under)
		answer_warranty_question(claim.name, "Defect confirmed?", "Confirmed")
		answer_warranty_question(claim.name, "Repairable?", "Repairable")
		mine = {"reference_doctype": "Warranty Claim", "reference_name": claim.name}
		frappe.set_user(h.SUPPORT)  # Maintenance User: the Funnel Transition list opens
		moves = frappe.get_list("Funnel Transition", filters=mine, fields=["to_stage"], order_by="name")
		self.assertEqual([m.to_stage for m in moves][-1], "Diagnosed")
		row = frappe.get_all("Funnel Transition", filters=mine, pluck="name")[0]
		self.assertTrue(frappe.has_permission("Funnel Transition", "read", row))
		self.assertFalse(frappe.has_permission("Funnel Transition", "write", row))
		frappe.set_user(h.SALES)  # reads no claims: none of their moves
		self.assertEqual(frappe.get_list("Funnel Transition", filters=mine, pluck="name"), [])
		self.assertFalse(frappe.has_permission("Funnel Transition", "read", row))

	def test_a_new_claim_cannot_bring_its_own_path_or_outcome(self):
		frappe.set_user(h.SUPPORT)
		claim = h.make_claim(
			self.customer,
			serial=self.under,
			item=self.item,
			warranty_outcome="Refund",
			warranty_node="Warranty refund",
			warranty_decision_path=[
				{"node": "Replacement available?", "answer": "Not in stock", "answered_by": h.SUPPORT}
			],
		)
		self.assertEqual((claim.warranty_node, claim.warranty_outcome), ("Defect confirmed?", None))
		self.assertEqual([r.node for r in claim.warranty_decision_path], [h.ROUTE])
		self.assertEqual(claim.funnel, "Warranty claims")
