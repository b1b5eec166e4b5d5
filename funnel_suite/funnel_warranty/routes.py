"""Warranty routes as the engine sees them: the nodes of a route (Warranty Route, a nested set),
the fields automatic checks may name, a claim's data, and the translated words for the engine's
route problems and answer errors."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, getdate

from funnel_suite.engine import warranty_route as wr

ROUTE_DOCTYPE = "Warranty Route"
CLAIM_DOCTYPE = "Warranty Claim"
SOURCE_DOCTYPES = {"Claim": CLAIM_DOCTYPE, "Serial No": "Serial No", "Item": "Item"}
_LAYOUT = frozenset(("Section Break", "Column Break", "Tab Break", "HTML", "Button", "Fold", "Heading"))
_TABLES = frozenset(("Table", "Table MultiSelect"))


def to_node(doc) -> wr.Node:
	check = None
	if doc.get("node_kind") == wr.KIND_CHECK:
		check = wr.Check(
			source=doc.get("check_source") or "Claim",
			fieldname=(doc.get("check_field") or "").strip(),
			operator=doc.get("check_operator") or "=",
			value=doc.get("check_value") or "",
			data_check=doc.get("data_check") or "",
			days=cint(doc.get("check_days")),
		)
	return wr.Node(
		name=doc.name,
		parent=doc.get("parent_warranty_route") or None,
		kind=doc.get("node_kind") or "",
		question=doc.get("question") or "",
		answers=tuple(
			wr.Answer((row.answer or "").strip(), row.next_node or "") for row in doc.get("answers") or ()
		),
		check=check,
		outcome=doc.get("outcome") or "",
		branch_funnel=doc.get("branch_funnel") or "",
	)


def root_of(name: str) -> str:
	"""The root node above `name` (walking the parent links; a loop stops the walk)."""
	seen = []
	while name and name not in seen:
		seen.append(name)
		parent = frappe.db.get_value(ROUTE_DOCTYPE, name, "parent_warranty_route")
		if not parent:
			return name
		name = parent
	return seen[-1] if seen else name


def route_docs(root: str) -> list:
	"""Every node of the route under `root` (the nested set's range), root first."""
	lft, rgt = frappe.db.get_value(ROUTE_DOCTYPE, root, ["lft", "rgt"]) or (0, 0)
	names = frappe.get_all(
		ROUTE_DOCTYPE, filters={"lft": (">=", lft), "rgt": ("<=", rgt)}, order_by="lft asc", pluck="name"
	)
	return [frappe.get_cached_doc(ROUTE_DOCTYPE, n) for n in names or [root]]


def load_route(root: str) -> wr.Route:
	return wr.Route(to_node(d) for d in route_docs(root))


def field_schema() -> dict[str, dict[str, str]]:
	"""What automatic checks may compare: the data fields of the claim, its Serial No, its Item."""
	return {
		source: {
			df.fieldname: df.fieldtype
			for df in frappe.get_meta(doctype).fields
			if df.fieldtype not in _LAYOUT and df.fieldtype not in _TABLES
		}
		| {"name": "Data"}
		for source, doctype in SOURCE_DOCTYPES.items()
	}


def field_types(schema: dict[str, dict[str, str]] | None = None) -> dict[tuple[str, str], str]:
	schema = schema or field_schema()
	return {(source, f): t for source, fields in schema.items() for f, t in fields.items()}


def funnel_doctypes(route: wr.Route) -> dict[str, str]:
	names = {n.branch_funnel for n in route.nodes.values() if n.branch_funnel}
	if not names:
		return {}
	return dict(
		frappe.get_all(
			"Funnel", filters={"name": ("in", list(names))}, fields=["name", "document_type"], as_list=True
		)
	)


def claim_facts(claim) -> wr.ClaimFacts:
	"""The data of a claim automatic checks read. The app reads the Serial No and Item for the
	check alone (only Yes or No reaches the user), so the claim's reader needs no stock role."""
	serial = (
		frappe.db.get_value("Serial No", claim.serial_no, "*", as_dict=True)
		if claim.get("serial_no")
		else None
	)
	item_code = claim.get("item_code") or (serial or {}).get("item_code")
	item = frappe.db.get_value("Item", item_code, "*", as_dict=True) if item_code else None
	return wr.ClaimFacts(
		claim=claim.as_dict(),
		serial=serial or {},
		item=item or {},
		claim_date=getdate(claim.get("complaint_date")) if claim.get("complaint_date") else None,
		delivered_on=delivered_on(claim.serial_no) if claim.get("serial_no") else None,
	)


def delivered_on(serial_no: str):
	"""The day the serial last left the stock on a submitted Delivery Note (its bundle's date)."""
	bundle = frappe.qb.DocType("Serial and Batch Bundle")
	entry = frappe.qb.DocType("Serial and Batch Entry")
	rows = (
		frappe.qb.from_(entry)
		.join(bundle)
		.on(entry.parent == bundle.name)
		.select(bundle.posting_date)
		.where(entry.serial_no == serial_no)
		.where(bundle.voucher_type == "Delivery Note")
		.where(bundle.docstatus == 1)
		.where(bundle.type_of_transaction == "Outward")
		.orderby(bundle.posting_date, order=frappe.qb.desc)
		.limit(1)
	).run()
	return getdate(rows[0][0]) if rows else None


# --- words -------------------------------------------------------------------------------------------


def problem_message(problem: wr.RouteProblem) -> str:
	node, detail = frappe.bold(problem.node), problem.detail
	messages = {
		"duplicate_node": _("Node {0} appears twice in the route."),
		"no_root": _("The route has no root: the parents of {0} go round in a cycle."),
		"several_roots": _("Node {0} is a second root: a route has exactly one node without a parent."),
		"cycle": _("Node {0} is its own ancestor ({1}): a route is a tree."),
		"unknown_kind": _("Node {0}: unknown kind {1}; allowed: Question, Automatic Check, Leaf."),
		"leaf_with_answers": _("Leaf {0} ends the route: it cannot have answers."),
		"leaf_with_children": _("Leaf {0} ends the route: it cannot have nodes below it."),
		"leaf_without_outcome": _(
			"Leaf {0} needs an outcome: Repair, Replace, Refund, Paid repair offer or Reject with explanation."
		),
		"leaf_without_funnel": _("Leaf {0} needs a branch funnel for Warranty Claims."),
		"unknown_funnel": _("Leaf {0}: funnel {1} does not exist."),
		"funnel_not_for_claims": _("Leaf {0}: funnel {1} does not hold Warranty Claims."),
		"question_without_text": _("Question {0} needs its question text."),
		"too_few_answers": _("Question {0} needs at least two answers (it has {1})."),
		"check_needs_yes_no": _("Automatic check {0} needs exactly two answers: Yes and No."),
		"answer_without_text": _("Node {0} has an answer without text."),
		"duplicate_answer": _("Node {0} offers the answer {1} twice."),
		"answer_without_node": _("Node {0}: answer {1} leads nowhere; pick the node it leads to."),
		"answer_to_unknown_node": _("Node {0}: an answer leads to {1}, which does not exist."),
		"answer_to_other_branch": _("Node {0}: an answer leads to {1}, which is not directly below it."),
		"two_answers_one_node": _("Node {0}: two answers lead to {1}; each answer leads to its own node."),
		"unreachable_node": _("Node {0} is below {1} but no answer of {1} leads to it."),
		"check_without_spec": _("Automatic check {0} needs a data check or a field to compare."),
		"unknown_data_check": _(
			"Automatic check {0}: unknown data check {1}; allowed: serial_under_warranty, serial_under_amc, delivered_within_days."
		),
		"data_check_needs_days": _("Automatic check {0}: {1} needs a number of days above 0."),
		"unknown_source": _("Automatic check {0}: unknown source {1}; allowed: Claim, Serial No, Item."),
		"check_without_field": _("Automatic check {0} needs a field name."),
		"unknown_operator": _(
			"Automatic check {0}: unknown operator {1}; allowed: =, !=, >, >=, <, <=, in, not in, is set, is not set."
		),
		"unknown_field": _("Automatic check {0}: field {1} does not exist."),
		"operator_not_for_type": _(
			"Automatic check {0}: operator and field type do not fit ({1}); > and < compare numbers and dates."
		),
		"value_not_of_type": _(
			"Automatic check {0}: value and field type do not fit ({1}); give a number, a date as 2026-12-31 or 0/1 for a checkbox."
		),
	}
	return messages.get(problem.code, _("Node {0}: {1}")).format(node, frappe.bold(detail) if detail else "")


def answer_error_message(err: wr.RouteError) -> str:
	node = frappe.bold(err.node)
	if err.code == "unknown_answer":
		return _("Question {0} has no answer {1}; allowed: {2}.").format(
			node, frappe.bold(err.detail), ", ".join(err.allowed)
		)
	messages = {
		"unknown_node": _("Node {0} is not part of this claim's route."),
		"automatic_node": _("Node {0} is an automatic check: it is answered from the claim's data."),
		"leaf_node": _("Node {0} is an outcome, not a question."),
		"not_on_path": _("Question {0} is not on this claim's path; the claim waits at {1}."),
		"root": _("The route is not a single tree ({0})."),
		"broken_route": _("Node {0} has no answer that leads on; the route needs fixing."),
		"cycle": _("The route goes round in a cycle at {0}."),
	}
	return messages.get(err.code, _("Node {0}: {1}")).format(node, frappe.bold(err.detail))
