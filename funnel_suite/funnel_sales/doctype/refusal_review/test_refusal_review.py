# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""The full refusal path: lose (with ERPNext's reasons) → review → verify or return → back in the funnel."""

import frappe

from funnel_suite.api import get_refusal_activity, move_card, review_refusal
from funnel_suite.funnel_sales.report.refusal_analysis.refusal_analysis import execute
from funnel_suite.funnels.card import StageFieldsMissingError
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_funnel,
	make_opportunity,
	make_user,
	other_company,
	transitions,
)

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


def limit_user(user: str, allow: str, value: str) -> None:
	"""A User Permission (applies to every doctype that links `allow`)."""
	if not frappe.db.exists("User Permission", {"user": user, "allow": allow, "for_value": value}):
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": allow,
				"for_value": value,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)


class TestRefusalReviewScope(FunnelTestCase):
	"""Reviews of another company's lost deals stay out of a manager's list, activity and report."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "deferred_demand_funnel", None)
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
		cls.company = frappe.defaults.get_global_default("company")
		cls.other = other_company(cls.company)
		cls.funnel = make_funnel(stages=STAGES).name
		cls.seller = make_user("funnel-scope-seller@example.test", "Sales User")
		cls.expensive = reason("Too expensive for them", "Price")
		# a Sales Manager and a Funnel Reviewer who work for the first company only
		cls.manager = make_user("funnel-scope-manager@example.test", "Sales Manager")
		limit_user(cls.manager, "Company", cls.company)
		# reviewers read the deals they review through a sales role
		cls.local_reviewer = make_user(
			"funnel-scope-reviewer-a@example.test", "Funnel Reviewer", "Sales User"
		)
		limit_user(cls.local_reviewer, "Company", cls.company)
		cls.reviewer = make_user("funnel-scope-reviewer@example.test", "Funnel Reviewer", "Sales User")

	def lost_review(self, company: str, note: str):
		card = make_opportunity(funnel=self.funnel, opportunity_owner=self.seller, company=company)
		card.add_comment("Comment", note)
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.expensive])
		return card, review_of(card.name)

	def customer_deal_review(self):
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": "Funnel Scope Customer", "customer_type": "Company"}
		).insert(ignore_if_duplicate=True)
		card = make_opportunity(
			funnel=self.funnel,
			company=self.other,
			opportunity_from="Customer",
			party_name=customer.name,
		)
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.expensive])
		return customer.name, review_of(card.name)

	def test_the_review_carries_the_deals_company_and_customer(self):
		customer, review = self.customer_deal_review()
		self.assertEqual((review.company, review.customer), (self.other, customer))
		meta = frappe.get_meta("Refusal Review")
		for field in ("company", "customer"):
			self.assertTrue(meta.get_field(field).read_only, field)

	def test_user_permissions_on_customer_apply_to_the_review(self):
		_customer, review = self.customer_deal_review()
		other_customer = frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": "Funnel Scope Other Customer",
				"customer_type": "Company",
			}
		).insert(ignore_if_duplicate=True)
		manager = make_user("funnel-scope-customer-manager@example.test", "Sales Manager")
		limit_user(manager, "Customer", other_customer.name)
		with self.set_user(manager):
			self.assertFalse(frappe.has_permission("Refusal Review", "read", review.name))
			self.assertNotIn(
				review.name, frappe.get_list("Refusal Review", pluck="name", limit_page_length=0)
			)

	def test_a_manager_of_one_company_does_not_see_anothers_reviews(self):
		_mine, own = self.lost_review(self.company, "Our own note")
		_theirs, foreign = self.lost_review(self.other, "Private note of the other company")
		with self.set_user(self.manager):
			names = frappe.get_list("Refusal Review", pluck="name", limit_page_length=0)
			self.assertIn(own.name, names)
			self.assertNotIn(foreign.name, names)
			self.assertFalse(frappe.has_permission("Refusal Review", "read", foreign.name))
			with self.assertRaises(frappe.PermissionError):
				get_refusal_activity(foreign.name)
			activity = get_refusal_activity(own.name)
			self.assertIn("Our own note", [c.content for c in activity["comments"]])
			_columns, rows, *_rest = execute({"salesperson": self.seller})
			self.assertEqual(rows[0]["losses"], 1, "only the own company's loss is counted")

	def test_a_reviewer_of_one_company_cannot_read_or_judge_anothers_review(self):
		theirs, foreign = self.lost_review(self.other, "Private note of the other company")
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"subject": "Our budget is gone",
				"content": "Sorry, no budget this year",
				"sender": "buyer@example.test",
				"reference_doctype": "Opportunity",
				"reference_name": theirs.name,
			}
		).insert(ignore_permissions=True)
		with self.set_user(self.local_reviewer):
			with self.assertRaises(frappe.PermissionError):
				get_refusal_activity(foreign.name)
			with self.assertRaises(frappe.PermissionError):
				review_refusal(foreign.name, "Verified")
			self.assertNotIn(foreign.name, frappe.get_list("Refusal Review", pluck="name"))
		for outsider in ("Guest", self.seller):
			with self.set_user(outsider):
				with self.assertRaises(frappe.PermissionError):
					get_refusal_activity(foreign.name)
		with self.set_user(self.reviewer):  # a reviewer for every company reads the deal's activity
			activity = get_refusal_activity(foreign.name)
			self.assertIn("Private note of the other company", [c.content for c in activity["comments"]])
			self.assertEqual(activity["moves"][0]["to_stage"], "Deal lost")
			self.assertEqual(
				[(c.subject, c.sent_or_received) for c in activity["communications"]],
				[("Our budget is gone", "Received")],
			)

	def test_the_activity_needs_read_on_the_deal_itself(self):
		"""A manager limited to a territory may read the review (it has no territory) but not the
		deal of another territory: the deal's calls, emails and comments stay closed."""
		territories = frappe.get_all("Territory", filters={"is_group": 0}, pluck="name", limit=2)
		if len(territories) < 2:
			territories.append(
				frappe.get_doc(
					{
						"doctype": "Territory",
						"territory_name": "Funnel Scope Land",
						"parent_territory": "All Territories",
					}
				)
				.insert()
				.name
			)
		manager = make_user("funnel-scope-territory@example.test", "Sales Manager")
		limit_user(manager, "Territory", territories[0])
		card = make_opportunity(funnel=self.funnel, territory=territories[1])
		card.add_comment("Comment", "Only for the deal's readers")
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.expensive])
		review = review_of(card.name)
		with self.set_user(manager):
			self.assertTrue(frappe.has_permission("Refusal Review", "read", review.name))
			self.assertFalse(frappe.has_permission("Opportunity", "read", card.name))
			with self.assertRaises(frappe.PermissionError):
				get_refusal_activity(review.name)

	def test_the_patch_fills_company_and_customer_of_existing_reviews(self):
		from funnel_suite.patches.v0_3.refusal_review_company import execute as patch

		customer, review = self.customer_deal_review()
		frappe.db.set_value("Refusal Review", review.name, {"company": None, "customer": None})
		patch()
		self.assertEqual(
			frappe.db.get_value("Refusal Review", review.name, ["company", "customer"]),
			(self.other, customer),
		)
