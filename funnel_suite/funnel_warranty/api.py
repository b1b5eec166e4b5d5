"""Whitelisted methods of the warranty module (named as `funnel_suite.api.<name>` by
funnel_suite/api/warranty.py)."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.engine import warranty_route as wr
from funnel_suite.funnel_warranty import routes
from funnel_suite.funnel_warranty.claim import NODE_FIELD, OUTCOME_FIELD, PATH_FIELD, ROUTE_FIELD
from funnel_suite.funnels.owned import app_writes

# Who answers a claim's questions and works claims (ERPNext's own roles on Warranty Claim).
WARRANTY_ROLES = ("Maintenance User", "Maintenance Manager")


def check_warranty_role() -> None:
	if not set(WARRANTY_ROLES) & set(frappe.get_roles()):
		frappe.throw(
			_("Only a Maintenance User or Maintenance Manager answers warranty questions."),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)


@frappe.whitelist(methods=["POST"])
def answer_warranty_question(claim: str, node: str, answer: str) -> dict:
	"""Answer the question `node` of a claim's route. The claim's automatic checks answer
	themselves; reaching an outcome puts the claim into its branch funnel's entry stage (a logged
	move). Answering a question already on the path changes that answer: the path after it is cut,
	the claim re-routed (a claim already in a branch moves to the new one) and the change noted on
	the claim's timeline. Returns the claim's state (as `get_warranty_state`)."""
	check_warranty_role()
	doc = frappe.get_doc("Warranty Claim", claim)
	doc.check_permission("write")
	if not doc.get(ROUTE_FIELD):
		frappe.throw(
			_("Warranty Claim {0} has no warranty route; pick one first.").format(frappe.bold(doc.name)),
			title=_("Warranty Route"),
		)
	if doc.docstatus != 0 or doc.status == "Cancelled":
		frappe.throw(_("Warranty Claim {0} is cancelled.").format(frappe.bold(doc.name)))
	doc.flags.warranty_answer = {"node": node, "answer": answer}
	with app_writes():  # the path, current node and outcome are the app's (the route decides them)
		doc.save()
	change = doc.flags.get("warranty_change")
	if change is not None and change.changed is not None:
		_log_change(doc, change, answer)
	return _state(doc)


def _log_change(doc, change: wr.AnswerResult, answer: str) -> None:
	dropped = ", ".join(f"{s.question or s.node}: {s.answer}" for s in change.removed[1:])
	text = _("Answer to {0} changed from {1} to {2}; the route now leads to {3}.").format(
		change.changed.question or change.changed.node,
		change.changed.answer,
		answer,
		doc.get(NODE_FIELD) or "",
	)
	if dropped:
		text += " " + _("Answers dropped from the path: {0}.").format(dropped)
	doc.add_comment("Info", frappe.utils.escape_html(text))


@frappe.whitelist()
def get_warranty_state(claim: str) -> dict:
	"""The guided panel's data: the current question and its answers (or the outcome), the path."""
	doc = frappe.get_doc("Warranty Claim", claim)
	doc.check_permission("read")
	return _state(doc)


def _state(doc) -> dict:
	current = doc.get(NODE_FIELD)
	node = frappe.get_cached_doc(routes.ROUTE_DOCTYPE, current) if current else None
	state = {
		"claim": doc.name,
		"route": doc.get(ROUTE_FIELD),
		"node": current,
		"outcome": doc.get(OUTCOME_FIELD),
		"funnel": doc.get("funnel"),
		"stage": doc.get("funnel_stage"),
		"status": doc.get("status"),
		"can_answer": bool(set(WARRANTY_ROLES) & set(frappe.get_roles())) and doc.has_permission("write"),
		"question": None,
		"answers": [],
		"explanation": None,
		"path": [
			{
				"node": row.node,
				"question": row.question,
				"answer": row.answer,
				"answered_by": row.answered_by,
				"answered_on": row.answered_on,
			}
			for row in doc.get(PATH_FIELD) or ()
		],
	}
	if node is not None:
		if node.node_kind == wr.KIND_LEAF:
			state["explanation"] = node.explanation
		else:
			state["question"] = node.question or node.name
			state["answers"] = [row.answer for row in node.answers]
	return state
