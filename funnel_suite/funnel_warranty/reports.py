"""What the four warranty reports read: the claims the user may see (`frappe.get_list`: roles and
User Permissions on Company and Customer apply), their moves (the move log of those claims) and
their documents (fixed aggregate queries on the claims found); the figures come from
`funnel_suite.engine.warranty_reports`."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import flt, get_datetime, getdate

from funnel_suite.engine import warranty_reports as wr
from funnel_suite.engine.procurement import PERIODICITIES
from funnel_suite.funnels.definitions import load_funnel

CLAIM = "Warranty Claim"


def check_filters(filters) -> frappe._dict:
	filters = frappe._dict(filters or {})
	if not filters.get("company"):
		frappe.throw(_("Choose a Company."), title=_("Missing Filter"))
	periodicity = filters.get("periodicity") or "Monthly"
	if periodicity not in PERIODICITIES:
		frappe.throw(
			_("Period {0} is not allowed. Allowed: {1}.").format(
				frappe.bold(periodicity), ", ".join(_(p) for p in PERIODICITIES)
			),
			title=_("Invalid Filter"),
		)
	filters.periodicity = periodicity
	return filters


def branch_funnels() -> set[str]:
	"""The funnels some warranty route's outcome sends claims to."""
	return set(
		frappe.get_all(
			"Warranty Route",
			filters={"node_kind": "Leaf", "branch_funnel": ("is", "set")},
			pluck="branch_funnel",
		)
	)


def claims(filters) -> list[wr.ClaimFacts]:
	conditions = [["company", "=", filters.company], ["docstatus", "<", 2]]
	if filters.get("customer"):
		conditions.append(["customer", "=", filters.customer])
	if filters.get("from_date"):
		conditions.append(["complaint_date", ">=", getdate(filters.from_date)])
	if filters.get("to_date"):
		conditions.append(["complaint_date", "<=", getdate(filters.to_date)])
	branches = branch_funnels()
	rows = frappe.get_list(
		CLAIM,
		filters=conditions,
		fields=["name", "complaint_date", "funnel", "warranty_outcome", "status", "serial_no", "item_code"],
		limit_page_length=0,
		order_by="complaint_date asc",
	)
	return [
		wr.ClaimFacts(
			claim=r.name,
			claimed_on=getdate(r.complaint_date),
			branch=r.funnel if r.funnel in branches else wr.NO_BRANCH,
			outcome=r.warranty_outcome or "",
			closed=r.status == "Closed",
			serial_no=r.serial_no or "",
			item_code=r.item_code or "",
		)
		for r in rows
	]


def moves(names: tuple) -> list[wr.Move]:
	if not names:
		return []
	log = frappe.qb.DocType("Funnel Transition")
	rows = (
		frappe.qb.from_(log)
		.select(log.reference_name, log.funnel, log.to_stage, log.moved_on)
		.where(log.reference_doctype == CLAIM)
		.where(log.reference_name.isin(names))
	).run()
	return [wr.Move(name, funnel, stage, get_datetime(on)) for name, funnel, stage, on in rows]


def final_stages(funnels) -> dict[str, set[str]]:
	out = {}
	for name in funnels:
		if frappe.db.exists("Funnel", name):
			out[name] = {s.name for s in load_funnel(name).stages if s.is_final}
	return out


def per_claim_sum(doctype: str, value, names: tuple, extra=None) -> dict[str, float]:
	"""Sum of `value` (a column of `doctype`) per linked claim, over submitted documents."""
	if not names:
		return {}
	table = frappe.qb.DocType(doctype)
	query = (
		frappe.qb.from_(table)
		.select(table.warranty_claim, frappe.query_builder.functions.Sum(value(table)))
		.where(table.warranty_claim.isin(names))
		.where(table.docstatus == 1)
		.groupby(table.warranty_claim)
	)
	if extra is not None:
		query = query.where(extra(table))
	return {claim: flt(total) for claim, total in query.run()}


def visits(names: tuple) -> dict[str, int]:
	if not names:
		return {}
	table = frappe.qb.DocType("Maintenance Visit")
	query = (
		frappe.qb.from_(table)
		.select(table.warranty_claim, frappe.query_builder.functions.Count(table.name))
		.where(table.warranty_claim.isin(names))
		.where(table.docstatus < 2)
		.groupby(table.warranty_claim)
	)
	return {claim: int(count) for claim, count in query.run()}


def branch_label(branch: str) -> str:
	return _(branch) if branch else _("Answering the route")


def bar_chart(labels, name, values) -> dict | None:
	if not labels:
		return None
	return {"data": {"labels": labels, "datasets": [{"name": name, "values": values}]}, "type": "bar"}
