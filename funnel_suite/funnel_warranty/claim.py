"""A Warranty Claim following its warranty route.

The claim's place on the route is a function of the route, the answers users gave and the claim's
data: on a save that changes what the route reads, and on every answer (`follow_route`,
before_validate, after the owned fields were put back) the engine walks the route from its root — automatic checks answer themselves, a question takes its
recorded answer or the claim waits there — and the claim's current node, outcome and decision path
are written from the walk. Reaching a leaf puts the claim into the leaf's branch funnel; the card
rule (validate) then plans that as a normal, logged move: the entry stage for a claim entering its
first branch, the new funnel's entry stage for a claim re-routed to another branch.

An answer (`funnel_suite.api.answer_warranty_question`) reaches this hook as `doc.flags.
warranty_answer`; changing an earlier answer cuts the path after that node (the engine) and the
result is left in `doc.flags.warranty_change` for the caller to log.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import now_datetime

from funnel_suite.engine import warranty_route as wr
from funnel_suite.funnel_warranty import routes
from funnel_suite.funnels.definitions import default_funnel

CLAIM_DOCTYPE = routes.CLAIM_DOCTYPE
ROUTE_FIELD, NODE_FIELD, OUTCOME_FIELD, PATH_FIELD = (
	"warranty_route",
	"warranty_node",
	"warranty_outcome",
	"warranty_decision_path",
)


class WarrantyRouteError(frappe.ValidationError):
	pass


def active_routes() -> list[str]:
	return frappe.get_all(
		routes.ROUTE_DOCTYPE,
		filters={"parent_warranty_route": ("is", "not set"), "is_active": 1},
		pluck="name",
		order_by="lft asc",
	)


def path_of(doc) -> list[wr.Step]:
	return [
		wr.Step(
			row.node,
			row.question or "",
			row.answer or "",
			automatic=row.answered_by == wr.AUTOMATIC,
		)
		for row in doc.get(PATH_FIELD) or ()
	]


def follow_route(doc, method=None) -> None:
	"""doc_events validate of Warranty Claim (before the card rule of the "*" validate row)."""
	if doc.docstatus == 2:
		return
	if not doc.get(ROUTE_FIELD) and doc.is_new():
		active = active_routes()
		if len(active) == 1:
			doc.set(ROUTE_FIELD, active[0])
	if not doc.get(ROUTE_FIELD):
		_clear(doc)
		return
	pending = doc.flags.get("warranty_answer")
	before = None if doc.is_new() else doc.get_doc_before_save()
	if not pending and before is not None and not _route_inputs_changed(doc, before):
		return  # nothing the route reads changed: the claim stays where it stands
	root = doc.get(ROUTE_FIELD)
	node = frappe.db.get_value(
		routes.ROUTE_DOCTYPE, root, ["parent_warranty_route", "is_active"], as_dict=True
	)
	if node is None or node.parent_warranty_route or not node.is_active:
		if before is not None and before.get(ROUTE_FIELD) == root:
			return  # a route switched off later: the claim keeps where it stands
		frappe.throw(
			_("Warranty Route {0} is not an active route; pick the root of an active route.").format(
				frappe.bold(root)
			),
			exc=WarrantyRouteError,
			title=_("Warranty Route"),
		)
	route = routes.load_route(root)
	facts = routes.claim_facts(doc)
	types = routes.field_types()
	path = path_of(doc)
	try:
		if pending:
			result = wr.answer(route, path, pending["node"], pending["answer"], facts, types)
			doc.flags.warranty_change = result
			position = result.position
		else:
			position = wr.evaluate(route, wr.answers_of(path), facts, types)
	except wr.RouteError as err:
		frappe.throw(routes.answer_error_message(err), exc=WarrantyRouteError, title=_("Warranty Route"))
	_write_position(doc, route, position)


# What a route's walk reads on the claim besides the answers (automatic checks on the claim's own
# fields are covered by comparing the fields they name).
ROUTE_INPUTS = ("warranty_route", "serial_no", "item_code", "complaint_date")


def _route_inputs_changed(doc, before) -> bool:
	"""Re-walk the route only when something it reads changed: the route, the serial, the item,
	the claim date or a claim field an automatic check of the route names. A claim at a Won or Lost
	stage of its branch keeps its path unless a user answers again (an edit of a closed claim does
	not send it to another branch)."""
	if doc.get(ROUTE_FIELD) != before.get(ROUTE_FIELD):
		return True
	if doc.get("status") == "Closed" and before.get("status") == "Closed":
		return False
	checked = frappe.get_all(
		routes.ROUTE_DOCTYPE,
		filters={"node_kind": wr.KIND_CHECK, "check_source": "Claim", "check_field": ("is", "set")},
		pluck="check_field",
	)
	return any(str(doc.get(f) or "") != str(before.get(f) or "") for f in (*ROUTE_INPUTS, *checked))


def _write_position(doc, route: wr.Route, position: wr.Position) -> None:
	"""The walk onto the claim: a step already on the path keeps its row (who answered, when);
	a new step gets a row answered by the user or "automatic"."""
	kept = {(row.node, wr.normalize(row.answer)): row for row in doc.get(PATH_FIELD) or ()}
	now, user = now_datetime(), frappe.session.user
	rows = []
	for step in position.path:
		row = kept.get((step.node, wr.normalize(step.answer)))
		if row is not None:
			rows.append({f: row.get(f) for f in ("node", "question", "answer", "answered_by", "answered_on")})
		else:
			rows.append(
				{
					"node": step.node,
					"question": step.question,
					"answer": step.answer,
					"answered_by": wr.AUTOMATIC if step.automatic else user,
					"answered_on": now,
				}
			)
	if [(r["node"], r["answer"]) for r in rows] != [(r.node, r.answer) for r in doc.get(PATH_FIELD) or ()]:
		doc.set(PATH_FIELD, rows)
	doc.set(NODE_FIELD, position.current or None)
	if position.leaf:
		leaf = route[position.leaf]
		doc.set(OUTCOME_FIELD, leaf.outcome)
		if doc.get("funnel") != leaf.branch_funnel:
			doc.funnel = leaf.branch_funnel
	else:
		doc.set(OUTCOME_FIELD, None)
		if doc.get("funnel") and doc.funnel in branch_funnels(route):
			# re-routed back to a question: out of the branch, into the claims' default funnel
			doc.funnel = default_funnel(CLAIM_DOCTYPE) or doc.funnel


def branch_funnels(route: wr.Route) -> set[str]:
	return {n.branch_funnel for n in route.nodes.values() if n.kind == wr.KIND_LEAF and n.branch_funnel}


def _clear(doc) -> None:
	if doc.get(PATH_FIELD):
		doc.set(PATH_FIELD, [])
	doc.set(NODE_FIELD, None)
	doc.set(OUTCOME_FIELD, None)
