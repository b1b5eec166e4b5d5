"""What a case's buying documents say: ordered, received, billed and paid, read in a fixed number
of aggregate queries (however many documents the case has)."""

from __future__ import annotations

import frappe
from frappe.utils import flt

ITEM_TABLES = {
	"ordered": ("Purchase Order", "Purchase Order Item"),
	"received": ("Purchase Receipt", "Purchase Receipt Item"),
	"billed": ("Purchase Invoice", "Purchase Invoice Item"),
}


def _quantities(case: str, parent: str, child: str) -> dict[str, float]:
	"""Submitted quantities per item of the case's documents (returns count negative)."""
	rows = frappe.db.sql(
		f"""select child.item_code, sum(child.qty)
		from `tab{child}` child join `tab{parent}` parent on parent.name = child.parent
		where parent.procurement_case = %s and parent.docstatus = 1 and child.parenttype = %s
		group by child.item_code""",
		(case, parent),
	)
	return {code: flt(qty) for code, qty in rows}


def _percent(done: dict[str, float], base: dict[str, float]) -> float:
	total = sum(base.values())
	if total <= 0:
		return 0.0
	covered = sum(min(max(done.get(code, 0.0), 0.0), qty) for code, qty in base.items())
	return round(100.0 * covered / total, 2)


def figures(doc) -> frappe._dict:
	"""The case's progress: percentages and the facts the stage checks read."""
	out = frappe._dict(
		ordered_percent=0.0,
		received_percent=0.0,
		billed_percent=0.0,
		paid_percent=0.0,
		orders=0,
		invoices=0,
		outstanding=0.0,
		fully_received=False,
	)
	if not doc.name or doc.is_new():
		return out
	quantities = {key: _quantities(doc.name, *tables) for key, tables in ITEM_TABLES.items()}
	base: dict[str, float] = {}
	for row in doc.get("items") or []:
		base[row.item_code] = base.get(row.item_code, 0.0) + flt(row.qty)
	if not base:  # a case without items: what was ordered is what is needed
		base = {code: qty for code, qty in quantities["ordered"].items() if qty > 0}
	for key, done in quantities.items():
		out[f"{key}_percent"] = _percent(done, base)
	out.fully_received = bool(base) and all(quantities["received"].get(c, 0.0) >= q for c, q in base.items())
	out.orders = frappe.db.count("Purchase Order", {"procurement_case": doc.name, "docstatus": 1})
	invoices = frappe.db.sql(
		"""select count(*), sum(grand_total), sum(outstanding_amount) from `tabPurchase Invoice`
		where procurement_case = %s and docstatus = 1 and is_return = 0""",
		doc.name,
	)[0]
	out.invoices = invoices[0] or 0
	total, outstanding = flt(invoices[1]), flt(invoices[2])
	out.outstanding = outstanding
	if total > 0:
		out.paid_percent = round(100.0 * max(0.0, min(total, total - outstanding)) / total, 2)
	return out


def fully_paid(f: frappe._dict) -> bool:
	return bool(f.invoices) and f.billed_percent >= 100 and f.outstanding <= 0
