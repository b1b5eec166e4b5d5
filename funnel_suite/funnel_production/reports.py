"""What the production reports share: the orders the user may read (through `frappe.get_list`, so
roles, User Permissions on Company and Customer, shares and the app's permission rules apply) and
their rows. Filter values are passed to the host's query builder as values, never as SQL."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_production.rows import ORDER

ORDER_FIELDS = ["name", "title", "company", "customer", "customer_name", "funnel", "funnel_stage", "due_date"]


def readable_orders(filters) -> list[frappe._dict]:
	filters = frappe._dict(filters or {})
	if not frappe.has_permission(ORDER, "read"):
		frappe.throw(_("You may not read production orders."), exc=frappe.PermissionError)
	where = {}
	for field in ("company", "customer", "funnel"):
		if filters.get(field):
			where[field] = str(filters.get(field))
	if filters.get("funnel_stage"):
		where["funnel_stage"] = str(filters.funnel_stage)
	if not filters.get("include_closed"):
		where["funnel_stage"] = where.get("funnel_stage") or ("not in", _final_stages())
	return frappe.get_list(
		ORDER, filters=where, fields=ORDER_FIELDS, order_by="name asc", limit_page_length=0
	)


def _final_stages() -> list[str]:
	"""Won / Lost stage names of every production funnel (a closed order is no longer in progress)."""
	funnels = frappe.get_all("Funnel", filters={"document_type": ORDER}, pluck="name")
	names = frappe.get_all(
		"Funnel Stage",
		filters={
			"parent": ("in", funnels or [""]),
			"parenttype": "Funnel",
			"stage_type": ("in", ["Won", "Lost"]),
		},
		pluck="stage_name",
	)
	return names or [""]


def rows_of(child: str, orders: list, fields: list[str]) -> list[frappe._dict]:
	"""Rows of the readable orders only (the parents were filtered by the user's permissions)."""
	names = [o.name for o in orders]
	if not names:
		return []
	return frappe.get_all(
		child,
		filters={"parent": ("in", names), "parenttype": ORDER},
		fields=["parent", *fields],
		order_by="parent asc, idx asc",
	)


def stage_positions(orders) -> dict[str, int]:
	from funnel_suite.engine import normalize_stage_name
	from funnel_suite.funnels.definitions import load_funnel

	positions: dict[str, int] = {}
	for funnel in {o.funnel for o in orders if o.funnel}:
		for i, stage in enumerate(load_funnel(funnel).stages):
			positions.setdefault(normalize_stage_name(stage.name), i)
	return positions
