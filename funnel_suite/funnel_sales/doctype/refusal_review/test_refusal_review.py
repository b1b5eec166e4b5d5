# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""The full refusal path: lose (with ERPNext's reasons) → review → verify or return → back in the funnel."""

import frappe

from funnel_suite.api import move_card, review_refusal
from funnel_suite.funnel_sales.report.refusal_analysis.refusal_analysis import execute
from funnel_suite.funnels.card import StageFieldsMissingError
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user, transitions

STAGES = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{"stage_name": "Proposal sent", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


def reason(name: str, category: str) -> str:
	if not frappe.db.exists("Opportunity Lost Reason", name):
		frappe.get_doc(
			{"doctype": "Opportunity Lost Reason", "lost_reason": name, "lost_category": category}
		).insert()
	return name


def review_of(opportunity: str):
	return frappe.get_doc("Refusal Review", {"opportunity": opportunity})


class TestRefusalReview(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "deferred_demand_funnel", None)  # losses stay lost here
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
		cls.funnel = make_funnel(stages=STAGES).name
		cls.seller = make_user("funnel-refusal-seller@example.test", "Sales User")
		cls.other_seller = make_user("funnel-refusal-seller2@example.test", "Sales User")
		cls.reviewer = make_user("funnel-refusal-reviewer@example.test", "Funnel Reviewer")
		cls.expensive = reason("Too expensive for them", "Price")
		cls.later = reason("Budget next year", "Not now")

	def card(self, owner=None):
		return make_opportunity(funnel=self.funnel, opportunity_owner=owner or self.seller)

	def lose(self, card, reasons):
		return move_card(
			"Opportunity", card.name, "Deal lost", lost_reasons=reasons, lost_detail="Chose to wait"
		)

	def test_losing_needs_reasons_and_sets_erpnext_lost_status(self):
		card = self.card()
		card.funnel_stage = "Deal lost"
		with self.assertRaises(StageFieldsMissingError):
			card.save()
		card.reload()
		self.lose(card, [self.expensive])
		card.reload()
		self.assertEqual((card.funnel_stage, card.status), ("Deal lost", "Lost"))
		self.assertEqual([r.lost_reason for r in card.lost_reasons], [self.expensive])
		self.assertEqual(card.order_lost_reason, "Chose to wait")
		review = review_of(card.name)
		self.assertEqual(
			(review.status, review.salesperson, review.categories), ("Pending", self.seller, "Price")
		)
		with self.assertRaises(frappe.ValidationError):
			move_card("Opportunity", card.name, "Deal lost", lost_reasons=["No such reason"])

	def test_erpnexts_declare_lost_moves_the_card_to_the_lost_stage(self):
		card = self.card()
		card.declare_enquiry_lost([{"lost_reason": self.later}], [], "Asked to call in spring")
		card.reload()
		self.assertEqual((card.funnel_stage, card.status), ("Deal lost", "Lost"))
		self.assertEqual(review_of(card.name).categories, "Not now")
		self.assertEqual(transitions("Opportunity", card.name)[-1].to_stage, "Deal lost")

	def test_only_reviewers_give_verdicts_and_see_the_queue(self):
		card = self.card()
		self.lose(card, [self.expensive])
		review = review_of(card.name)
		with self.set_user(self.seller):
			with self.assertRaises(frappe.PermissionError):
				review_refusal(review.name, "Verified")
		with self.set_user(self.reviewer):
			self.assertIn(review.name, frappe.get_list("Refusal Review", pluck="name"))
		review.status = "Verified"
		with self.assertRaises(frappe.ValidationError):
			review.save()  # only through the verdict

	def test_verified_with_a_corrected_reason(self):
		card = self.card()
		self.lose(card, [self.expensive])
		review = review_of(card.name)
		with self.set_user(self.reviewer):
			review_refusal(
				review.name, "Verified", note="The call shows they want it later", corrected_reason=self.later
			)
		review.reload()
		self.assertEqual(
			(review.status, review.corrected_category, review.reviewer),
			("Verified", "Not now", self.reviewer),
		)
		with self.set_user(self.reviewer):
			with self.assertRaises(frappe.ValidationError):
				review_refusal(review.name, "Returned", note="x", return_stage="Proposal sent")

	def test_returned_goes_back_to_work_logged_and_the_owner_is_told(self):
		card = self.card()
		self.lose(card, [self.expensive])
		review = review_of(card.name)
		with self.set_user(self.reviewer):
			with self.assertRaises(frappe.ValidationError):
				review_refusal(review.name, "Returned", return_stage="Proposal sent")  # no coaching note
			with self.assertRaises(frappe.ValidationError) as ctx:
				review_refusal(
					review.name, "Returned", note="Offer instalments", return_stage="Contract signed"
				)
			self.assertIn("Proposal sent", str(ctx.exception))
			review_refusal(review.name, "Returned", note="Offer instalments", return_stage="Proposal sent")
		card.reload()
		self.assertEqual((card.funnel_stage, card.status), ("Proposal sent", "Open"))
		last = transitions("Opportunity", card.name)[-1]
		self.assertEqual(
			(last.from_stage, last.to_stage, last.moved_by, last.comment),
			("Deal lost", "Proposal sent", self.reviewer, "Offer instalments"),
		)
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": self.seller,
					"document_name": card.name,
					"subject": ("like", "%Offer instalments%"),
				},
			)
		)
		self.assertEqual(review_of(card.name).status, "Returned")

	def test_the_review_is_a_card_of_the_refusal_review_funnel(self):
		card = self.card()
		self.lose(card, [self.expensive])
		review = review_of(card.name)
		funnel = frappe.get_doc("Funnel", review.funnel)
		self.assertEqual((funnel.document_type, review.funnel_stage), ("Refusal Review", "Loss recorded"))
		task = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Refusal Review", "reference_name": review.name, "status": "Open"},
			pluck="allocated_to",
		)
		self.assertEqual(len(task), 1)
		self.assertIn("Funnel Reviewer", frappe.get_roles(task[0]))
		review.funnel_stage = "Loss verified"
		with self.assertRaises(frappe.ValidationError):
			review.save()  # a drag on the review board is refused: the verdict buttons decide
		review.reload()
		with self.set_user(self.reviewer):
			review_refusal(review.name, "Verified")
		self.assertEqual(frappe.db.get_value("Refusal Review", review.name, "funnel_stage"), "Loss verified")
		self.assertEqual(
			frappe.db.count("ToDo", {"reference_name": review.name, "status": "Open"}),
			0,
			"the reviewer's task is closed",
		)

	def test_refusal_analysis_counts_per_salesperson(self):
		cards = [self.card(self.other_seller) for _ in range(4)]
		for card in cards:
			self.lose(card, [self.expensive])
		reviews = [review_of(c.name).name for c in cards]
		with self.set_user(self.reviewer):
			review_refusal(reviews[0], "Verified")
			review_refusal(reviews[1], "Verified", corrected_reason=self.later)
			review_refusal(reviews[2], "Returned", note="Call back", return_stage="Inquiry received")
		columns, rows, _, chart, summary = execute({"salesperson": self.other_seller})
		row = rows[0]
		self.assertEqual(
			(row["losses"], row["verified"], row["returned"], row["pending"], row["returned_percent"]),
			(4, 2, 1, 1, 33.3),
		)
		self.assertEqual((row["price"], row["not_now"]), (3, 1))
		self.assertEqual(row["returned_deals"], cards[2].name)
		self.assertIn("price", [c["fieldname"] for c in columns])
		self.assertEqual(chart["data"]["labels"], [self.other_seller])
		self.assertEqual(summary[0]["value"], 4)

	def test_the_reviewer_sees_the_stage_bar_and_move_history_of_a_review(self):
		from funnel_suite.api import get_card_state

		card = self.card()
		self.lose(card, [self.expensive])
		review = review_of(card.name)
		with self.set_user(self.reviewer):
			state = get_card_state("Refusal Review", review.name)
			self.assertEqual(state["stage"], "Loss recorded")
			self.assertFalse(state["can_move"])  # the verdict buttons move a review, not the bar
			self.assertEqual([row.to_stage for row in state["history"]], ["Loss recorded"])
			# and only the moves of the cards the reviewer may read: not the deal's
			self.assertFalse(
				frappe.get_list("Funnel Transition", filters={"reference_name": card.name}, pluck="name")
			)
