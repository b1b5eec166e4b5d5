"""Refusal review: every lost deal lands in a review queue.

A reviewer (role Funnel Reviewer) reads the deal's calls, emails and comments, then gives a
verdict: Verified (the reason is confirmed, or corrected) or Returned (the deal goes back to
an open stage of its funnel — logged as a move — and its owner is told why, with a coaching
note). From the returns the head of sales sees who needs training (report Refusal Analysis).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.desk.form.load import get_communication_data
from frappe.utils import now_datetime

from funnel_suite.funnels.card import load_funnel
from funnel_suite.funnels.sanitize import sanitized_value
from funnel_suite.funnels.tasks import card_owner

REVIEWER_ROLES = {"Funnel Reviewer", "System Manager"}
VERDICTS = ("Verified", "Returned")
ACTIVITY_ROWS = 100


def on_card_moved(doc, entries: list[dict]) -> None:
	"""Hook `funnel_on_move`: a loss of an Opportunity opens a Refusal Review."""
	if doc.doctype != "Opportunity":
		return
	lost = next(
		(
			e
			for e in entries
			if (stage := load_funnel(e["funnel"]).stage(e["to_stage"])) is not None and stage.kind == "Lost"
		),
		None,
	)
	if lost is None:
		return
	reasons = [row.lost_reason for row in doc.get("lost_reasons") or []]
	categories = sorted(
		{
			c
			for c in frappe.get_all(
				"Opportunity Lost Reason", filters={"name": ("in", reasons)}, pluck="lost_category"
			)
			if c
		}
	)
	frappe.get_doc(
		{
			"doctype": "Refusal Review",
			"opportunity": doc.name,
			"customer_name": doc.get("customer_name") or doc.get("party_name"),
			"customer": deal_customer(doc),
			"company": doc.get("company"),
			"deal_funnel": lost["funnel"],
			"lost_stage": lost["to_stage"],
			"salesperson": card_owner(doc),
			"lost_on": lost["moved_on"],
			"amount": doc.get("opportunity_amount"),
			"lost_reasons": "\n".join(reasons),
			"categories": "\n".join(categories),
			"lost_detail": doc.get("order_lost_reason"),
			"status": "Pending",
		}
	).insert(ignore_permissions=True)


def deal_customer(deal) -> str | None:
	"""The Customer of a deal: its party, or the customer made from its lead."""
	if not deal.get("party_name"):
		return None
	if deal.get("opportunity_from") == "Customer":
		return deal.party_name
	if deal.get("opportunity_from") == "Lead":
		return frappe.db.get_value("Customer", {"lead_name": deal.party_name}, "name")
	return None


def _check_reviewer() -> None:
	if not REVIEWER_ROLES & set(frappe.get_roles()):
		frappe.throw(
			_("Only a Funnel Reviewer may give a verdict on a refusal."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)


def give_verdict(
	review: str,
	verdict: str,
	note: str | None = None,
	return_stage: str | None = None,
	corrected_reason: str | None = None,
) -> dict:
	_check_reviewer()
	doc = frappe.get_doc("Refusal Review", review)
	doc.check_permission("write")
	if verdict not in VERDICTS:
		frappe.throw(
			_("Verdict must be Verified or Returned, not {0}.").format(frappe.bold(verdict)),
			title=_("Invalid Verdict"),
		)
	if doc.status != "Pending":
		frappe.throw(
			_("{0} already has the verdict {1}.").format(doc.name, frappe.bold(_(doc.status))),
			title=_("Already Reviewed"),
		)
	# the note also goes to the move log, a Comment and a notification: sanitized once, as the
	# review's Text field (JSON-wrapped markup included, see funnel_suite.funnels.sanitize)
	note = sanitized_value("Refusal Review", "coaching_note", (note or "").strip())
	if corrected_reason:
		if not frappe.db.exists("Opportunity Lost Reason", corrected_reason):
			frappe.throw(
				_("{0} is not an Opportunity Lost Reason.").format(frappe.bold(corrected_reason)),
				title=_("Invalid Lost Reason"),
			)
		doc.corrected_reason = corrected_reason
		doc.corrected_category = frappe.db.get_value(
			"Opportunity Lost Reason", corrected_reason, "lost_category"
		)
	if verdict == "Returned":
		if not note:
			frappe.throw(
				_("A returned deal needs a coaching note: tell the salesperson what to do differently."),
				title=_("Coaching Note Required"),
			)
		doc.return_stage = _return_to_work(doc, return_stage, note)
	doc.status = verdict
	_move_review_card(doc, verdict)
	doc.coaching_note = note or None
	doc.reviewer = frappe.session.user
	doc.reviewed_on = now_datetime()
	doc.flags.from_verdict = True
	doc.save(ignore_permissions=True)
	return {"status": doc.status, "return_stage": doc.return_stage}


def _move_review_card(review, verdict: str) -> None:
	"""The review's own card follows its verdict: Verified → the Won stage, Returned → the Lost one."""
	if not review.get("funnel"):
		return
	kind = "Won" if verdict == "Verified" else "Lost"
	stage = next((s for s in load_funnel(review.funnel).stages if s.kind == kind), None)
	if stage:
		review.funnel_stage = stage.name


def _return_to_work(review, return_stage: str | None, note: str) -> str:
	opportunity = frappe.get_doc("Opportunity", review.opportunity)
	funnel = load_funnel(opportunity.funnel)
	open_stages = [s.name for s in funnel.stages if s.kind == "Open"]
	stage = funnel.stage(return_stage) if return_stage else None
	if stage is None or stage.kind != "Open":
		frappe.throw(
			_("Choose the open stage of funnel {0} the deal goes back to: {1}.").format(
				frappe.bold(funnel.name), ", ".join(open_stages)
			),
			title=_("Return Stage Required"),
		)
	# the reviewer acts for quality control: they may not edit the deal otherwise, but the
	# funnel's rules for the move still apply, and the move is logged under their name
	opportunity.funnel_stage = stage.name
	opportunity.flags.funnel_move_comment = note
	opportunity.flags.ignore_permissions = True
	opportunity.save()
	owner = review.salesperson or card_owner(opportunity)
	message = _("{0} returned your lost deal {1} to stage {2}: {3}").format(
		frappe.utils.get_fullname(frappe.session.user), opportunity.name, _(stage.name), note
	)
	opportunity.add_comment("Comment", message)
	make_notification_logs(
		frappe._dict(
			type="Alert",
			document_type="Opportunity",
			document_name=opportunity.name,
			subject=message,
			from_user=frappe.session.user,
		),
		[owner],
	)
	return stage.name


def deal_activity(review: str) -> dict:
	"""The deal's calls, emails, comments and moves, for the reviewer's screen.

	Two checks: read on the review (roles and user permissions, which apply through the review's
	company, customer and opportunity links) and read on the deal itself — the activity is the
	deal's, so only someone who could open the deal sees it. The reads then go the host's way: the
	deal form's timeline and comments (which the host shows to the deal's readers) and the move log
	through its permission hook."""
	doc = frappe.get_doc("Refusal Review", review)
	doc.check_permission("read")
	deal = frappe.get_doc("Opportunity", doc.opportunity)
	if not frappe.has_permission("Opportunity", "read", doc=deal):
		frappe.throw(
			_(
				"You may read this refusal review but not the deal {0}, so its calls, emails and comments stay closed."
			).format(frappe.bold(deal.name)),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	# the deal form's own timeline query (its emails and the ones linked to it), after the check
	communications = get_communication_data(
		"Opportunity",
		deal.name,
		limit=ACTIVITY_ROWS,
		fields="C.communication_medium, C.sent_or_received, C.subject, C.content, C.sender, "
		"C.creation AS creation, C.communication_date",
	)
	# the host's form shows a document's comments to whoever may read it (docinfo); read was
	# checked on the deal above
	comments = frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": "Opportunity",
			"reference_name": deal.name,
			"comment_type": ("in", ["Comment", "Info", "Edit"]),
		},
		fields=["comment_type", "content", "comment_email", "creation"],
		order_by="creation desc",
		limit_page_length=ACTIVITY_ROWS,
	)
	moves = frappe.get_list(
		"Funnel Transition",
		filters={"reference_doctype": "Opportunity", "reference_name": deal.name},
		fields=["from_stage", "to_stage", "moved_by", "moved_on", "comment"],
		order_by="moved_on desc",
		limit_page_length=ACTIVITY_ROWS,
	)
	return {"communications": communications, "comments": comments, "moves": moves}


def on_deal_deleted(doc, log: list[dict]) -> None:
	"""Hook `funnel_on_card_delete`: a deal deleted by a user who may delete it takes its refusal
	reviews along. Each review is about one loss of this one deal (a single link), so it belongs
	to the deal alone; a deleted duplicate or spam deal must not count in the Refusal Analysis
	either, and a review keeps the customer's name, which a deletion request must remove.

	The reviews go through the host's delete (their own card cleanup: move log, summaries,
	smart tasks) without a permission check of their own: nobody may delete a review by hand,
	and the host has just checked that the user may delete the deal."""
	if doc.doctype != "Opportunity":
		return
	for review in frappe.get_all("Refusal Review", filters={"opportunity": doc.name}, pluck="name"):
		frappe.delete_doc(
			"Refusal Review",
			review,
			ignore_permissions=True,
			flags={"deleted_with_deal": doc.name},
		)
