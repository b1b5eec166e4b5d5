"""The storekeeper's stage: a Stock Entry for what is left to issue, and issued quantities that
follow the entries' submit and cancel.

The stage listing the check `issue_materials` is the storekeeper's. Entering it is refused while
stock does not cover what is left to issue (checks.py asks `shortage_reasons`); once the move is
valid, `issue` (called from the move hook, in the move's transaction) creates the Stock Entry —
a Material Issue from each material's warehouse, or a Material Transfer into the work-in-progress
warehouse (Production Settings) — as a draft or submitted. Any error rolls the whole move back.
`on_stock_entry_change` (Stock Entry on_submit / on_cancel) recomputes each material row's issued
quantity from the order's submitted entries."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder.functions import Sum
from frappe.utils import flt

from funnel_suite.engine.production import shortages, to_issue
from funnel_suite.funnel_production import rows
from funnel_suite.funnel_production.rows import ORDER
from funnel_suite.funnels.audit import bold

ISSUE_CHECK = "issue_materials"
ORDER_FIELD = "production_order"
ROW_FIELD = "production_material"


def available_stock(pairs) -> dict[tuple[str, str], float]:
	"""Actual quantity per (item, warehouse) from ERPNext's Bin, in one query."""
	pairs = list(dict.fromkeys(pairs))
	if not pairs:
		return {}
	bin_ = frappe.qb.DocType("Bin")
	items = list({p[0] for p in pairs})
	warehouses = list({p[1] for p in pairs})
	found = (
		frappe.qb.from_(bin_)
		.select(bin_.item_code, bin_.warehouse, bin_.actual_qty)
		.where(bin_.item_code.isin(items) & bin_.warehouse.isin(warehouses))
		.run(as_dict=True)
	)
	return {(b.item_code, b.warehouse): flt(b.actual_qty) for b in found}


def shortage_reasons(doc) -> list[str]:
	"""The check `issue_materials`: every item and warehouse where stock is short, or nothing."""
	materials = rows.materials(doc)
	missing = [m for m in to_issue(materials) if not m.warehouse]
	reasons = [
		_("row {0}: choose the warehouse of item {1}").format(m.row, bold(m.item_code)) for m in missing
	]
	left = [m for m in materials if m.warehouse]
	available = available_stock((m.item_code, m.warehouse) for m in to_issue(left))
	reasons += [
		_("not enough {0} in warehouse {1}: needed {2}, available {3}").format(
			bold(s.item_code), bold(s.warehouse), frappe.format(s.needed), frappe.format(s.available)
		)
		for s in shortages(left, available)
	]
	return reasons


def stage_issues_materials(funnel: str, stage: str) -> bool:
	from funnel_suite.funnels.definitions import load_funnel

	found = load_funnel(funnel).stage(stage)
	return bool(found and ISSUE_CHECK in found.checks)


def settings():
	return frappe.get_cached_doc("Production Settings")


def _draft_exists(order: str) -> str | None:
	return frappe.db.get_value("Stock Entry", {ORDER_FIELD: order, "docstatus": 0}, "name")


def issue(doc) -> str | None:
	"""Create the Stock Entry for what is left to issue (None when nothing is, or when a draft of
	this order is still waiting for the storekeeper). The user who moves the order must be allowed
	to create (and, with the setting, submit) Stock Entries: their move is what issues stock."""
	left = to_issue(rows.materials(doc))
	if not left or _draft_exists(doc.name):
		return None
	conf = settings()
	submit = bool(conf.submit_stock_entry)
	for ptype in ("create", "submit") if submit else ("create",):
		if not frappe.has_permission("Stock Entry", ptype):
			frappe.throw(
				_(
					"Entering stage {0} issues the materials: you need permission to {1} Stock Entries."
				).format(bold(_(doc.funnel_stage)), _(ptype)),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
	purpose = conf.stock_entry_purpose or "Material Issue"
	transfer = purpose == "Material Transfer"
	if transfer and not conf.wip_warehouse:
		frappe.throw(
			_("Set the Work-in-Progress Warehouse in Production Settings: materials are transferred there."),
			title=_("Missing Warehouse"),
		)
	by_row = {r.name: r for r in doc.materials}
	entry = frappe.new_doc("Stock Entry")
	entry.purpose = purpose
	entry.stock_entry_type = purpose
	entry.company = doc.company
	entry.set(ORDER_FIELD, doc.name)
	entry.remarks = _("Materials of production order {0}").format(doc.name)
	for m in left:
		row = by_row[m.row]
		entry.append(
			"items",
			{
				"item_code": m.item_code,
				"qty": m.to_issue,
				"uom": row.uom,
				"s_warehouse": m.warehouse,
				"t_warehouse": conf.wip_warehouse if transfer else None,
				ROW_FIELD: m.row,
			},
		)
	entry.insert()
	if submit:
		entry.submit()
	for m in left:
		frappe.db.set_value("Production Material", m.row, "stock_entry", entry.name, update_modified=False)
		by_row[m.row].stock_entry = entry.name
	return entry.name


def issued_quantities(order: str) -> dict[str, float]:
	"""Issued quantity (stock UOM) per material row, from the order's submitted Stock Entries."""
	se = frappe.qb.DocType("Stock Entry")
	line = frappe.qb.DocType("Stock Entry Detail")
	found = (
		frappe.qb.from_(line)
		.join(se)
		.on(se.name == line.parent)
		.select(line[ROW_FIELD], Sum(line.transfer_qty))
		.where((se[ORDER_FIELD] == order) & (se.docstatus == 1))
		.groupby(line[ROW_FIELD])
		.run()
	)
	return {row: flt(qty) for row, qty in found if row}


def refresh_issued(order: str) -> None:
	issued = issued_quantities(order)
	for name, current in frappe.get_all(
		"Production Material", {"parent": order, "parenttype": ORDER}, ["name", "issued_qty"], as_list=True
	):
		value = issued.get(name, 0.0)
		if flt(current) != value:
			frappe.db.set_value("Production Material", name, "issued_qty", value, update_modified=False)


def on_stock_entry_change(doc, method=None) -> None:
	"""Stock Entry on_submit / on_cancel: the order's issued quantities follow."""
	if doc.get(ORDER_FIELD):
		refresh_issued(doc.get(ORDER_FIELD))


def check_order_link(doc, method=None) -> None:
	"""Stock Entry validate: linking an entry to an order needs read on the order (a user must not
	move someone else's issued figures), checked when the link is set or changed."""
	order = doc.get(ORDER_FIELD)
	if not order:
		return
	before = doc.get_doc_before_save()
	if before and before.get(ORDER_FIELD) == order:
		return
	if not frappe.db.exists(ORDER, order):
		frappe.throw(_("Production Order {0} does not exist.").format(bold(order)), title=_("Invalid Link"))
	if not frappe.has_permission(ORDER, "write", order):
		frappe.throw(
			_("You may not change production order {0}, so this Stock Entry cannot be linked to it.").format(
				bold(order)
			),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
