"""What a case's buying documents say: ordered, received, billed and paid, read in one aggregate
query (however many documents the case has).

Quantities are compared in the item's stock UOM: a case row's `stock_qty` (its quantity times its
UOM's conversion factor, set on the case's save) against the `stock_qty` ERPNext stores on every
order, receipt and invoice row — an order in boxes of 12 covers a case row in pieces. A Purchase
Invoice with Update Stock is a receipt as well as an invoice (ERPNext does not let it update stock
against a Purchase Receipt, so nothing is counted twice); returns count negative."""

from __future__ import annotations

import frappe
from frappe.utils import flt

# (figure, parent doctype, condition on the parent) — each a part of the one query
ITEM_SOURCES = (
	("ordered", "Purchase Order", ""),
	("received", "Purchase Receipt", ""),
	("received", "Purchase Invoice", "and parent.update_stock = 1"),
	("billed", "Purchase Invoice", ""),
)


def _build_query() -> str:
	parts = [
		f"""select '{key}', child.item_code, sum(child.stock_qty), 0, 0
		from `tab{parent} Item` child join `tab{parent}` parent on parent.name = child.parent
		where parent.procurement_case = %(case)s and parent.docstatus = 1
			and child.parenttype = '{parent}' {condition}
		group by child.item_code"""
		for key, parent, condition in ITEM_SOURCES
	]
	parts.append(
		"""select 'orders', null, count(*), 0, 0 from `tabPurchase Order`
		where procurement_case = %(case)s and docstatus = 1"""
	)
	parts.append(
		"""select 'invoices', null, count(*), sum(grand_total), sum(outstanding_amount)
		from `tabPurchase Invoice` where procurement_case = %(case)s and docstatus = 1 and is_return = 0"""
	)
	return "\nunion all\n".join(parts)


QUERY = _build_query()


def _percent(done: dict[str, float], base: dict[str, float]) -> float:
	total = sum(base.values())
	if total <= 0:
		return 0.0
	covered = sum(min(max(done.get(code, 0.0), 0.0), qty) for code, qty in base.items())
	return round(100.0 * covered / total, 2)


def base_quantities(doc) -> dict[str, float]:
	"""Stock quantity needed per item of the case (a row saved before the stock quantity existed
	counts its quantity times its conversion factor, else as it stands)."""
	base: dict[str, float] = {}
	for row in doc.get("items") or []:
		qty = flt(row.get("stock_qty")) or flt(row.qty) * (flt(row.get("conversion_factor")) or 1.0)
		base[row.item_code] = base.get(row.item_code, 0.0) + qty
	return base


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
	quantities: dict[str, dict[str, float]] = {"ordered": {}, "received": {}, "billed": {}}
	total = outstanding = 0.0
	for key, code, qty, amount, due in frappe.db.sql(QUERY, {"case": doc.name}):
		if key == "orders":
			out.orders = int(qty or 0)
		elif key == "invoices":
			out.invoices = int(qty or 0)
			total, outstanding = flt(amount), flt(due)
		else:
			done = quantities[key]
			done[code] = done.get(code, 0.0) + flt(qty)
	base = base_quantities(doc)
	if not base:  # a case without items: what was ordered is what is needed
		base = {code: qty for code, qty in quantities["ordered"].items() if qty > 0}
	for key, done in quantities.items():
		out[f"{key}_percent"] = _percent(done, base)
	out.fully_received = bool(base) and all(quantities["received"].get(c, 0.0) >= q for c, q in base.items())
	out.outstanding = outstanding
	if total > 0:
		out.paid_percent = round(100.0 * max(0.0, min(total, total - outstanding)) / total, 2)
	return out


def fully_paid(f: frappe._dict) -> bool:
	return bool(f.invoices) and f.billed_percent >= 100 and f.outstanding <= 0
