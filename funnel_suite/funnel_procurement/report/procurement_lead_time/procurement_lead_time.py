# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Lead times and on-time delivery per supplier and period, from the cases' buying documents.

The cases come from `frappe.get_list` (the user's roles and User Permissions on Company and
Supplier apply); their documents are then read in a fixed number of aggregate queries and the
figures computed by `funnel_suite.engine.procurement`.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import flt, getdate, nowdate

from funnel_suite.engine.procurement import PERIODICITIES, CaseFacts, lead_time_rows

CASE = "Procurement Case"


def execute(filters=None):
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
	facts = case_facts(filters)
	rows = lead_time_rows(facts, getdate(nowdate()), periodicity)
	return columns(), rows, None, chart(rows)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "supplier",
			"label": _("Supplier"),
			"fieldtype": "Link",
			"options": "Supplier",
			"width": 180,
		},
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 90},
		{"fieldname": "cases", "label": _("Cases"), "fieldtype": "Int", "width": 70},
		{"fieldname": "received_cases", "label": _("Fully Received"), "fieldtype": "Int", "width": 110},
		{
			"fieldname": "median_days_to_receipt",
			"label": _("Median Days Order to Receipt"),
			"fieldtype": "Float",
			"width": 150,
		},
		{
			"fieldname": "p90_days_to_receipt",
			"label": _("P90 Days Order to Receipt"),
			"fieldtype": "Float",
			"width": 150,
		},
		{
			"fieldname": "on_time_percent",
			"label": _("On-time Delivery %"),
			"fieldtype": "Percent",
			"width": 130,
		},
		{"fieldname": "late_cases", "label": _("Late Cases"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "median_days_to_payment",
			"label": _("Median Days Invoice to Payment"),
			"fieldtype": "Float",
			"width": 160,
		},
	]


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	return {
		"data": {
			"labels": [f"{r['supplier']} {r['period']}" for r in rows],
			"datasets": [
				{
					"name": _("Median Days Order to Receipt"),
					"values": [r["median_days_to_receipt"] or 0 for r in rows],
				}
			],
		},
		"type": "bar",
	}


def case_facts(filters) -> list[CaseFacts]:
	conditions = {"company": filters.company, "supplier": ("is", "set")}
	if filters.get("supplier"):
		conditions["supplier"] = filters.supplier
	cases = {
		c.name: c
		for c in frappe.get_list(CASE, filters=conditions, fields=["name", "supplier"], limit_page_length=0)
	}
	if not cases:
		return []
	names = tuple(cases)
	orders = {
		case: (ordered, promised)
		for case, ordered, promised in frappe.db.sql(
			"""select procurement_case, min(transaction_date), max(schedule_date) from `tabPurchase Order`
			where docstatus = 1 and procurement_case in %(names)s group by procurement_case""",
			{"names": names},
		)
	}
	received_on = _full_receipt_dates(names)
	invoiced_on, paid_on = _invoice_and_payment_dates(names)
	start = getdate(filters.from_date) if filters.get("from_date") else None
	end = getdate(filters.to_date) if filters.get("to_date") else None
	facts = []
	for name, case in cases.items():
		if name not in orders:
			continue
		ordered, promised = getdate(orders[name][0]), orders[name][1]
		if (start and ordered < start) or (end and ordered > end):
			continue
		facts.append(
			CaseFacts(
				case=name,
				supplier=case.supplier,
				ordered_on=ordered,
				promised_by=getdate(promised) if promised else None,
				received_on=received_on.get(name),
				invoiced_on=invoiced_on.get(name),
				paid_on=paid_on.get(name),
			)
		)
	return facts


def _full_receipt_dates(names: tuple) -> dict:
	"""The day of the last receipt of each case whose receipts now cover every item (by the case's
	items, else by what was ordered), in stock UOM; a Purchase Invoice with Update Stock is a receipt."""
	need: dict[str, dict[str, float]] = {}
	for case, item, qty in frappe.db.sql(
		"""select parent, item_code,
			sum(case when ifnull(stock_qty, 0) > 0 then stock_qty else qty end)
		from `tabProcurement Case Item`
		where parenttype = 'Procurement Case' and parent in %(names)s group by parent, item_code""",
		{"names": names},
	):
		need.setdefault(case, {})[item] = flt(qty)
	for case, item, qty in frappe.db.sql(
		"""select po.procurement_case, poi.item_code, sum(poi.stock_qty) from `tabPurchase Order Item` poi
		join `tabPurchase Order` po on po.name = poi.parent
		where po.docstatus = 1 and po.procurement_case in %(names)s group by po.procurement_case, poi.item_code""",
		{"names": names},
	):
		if case not in need or not need[case]:
			need.setdefault("__ordered__" + case, {})[item] = flt(qty)
	got: dict[str, dict[str, float]] = {}
	last: dict[str, object] = {}
	for case, item, qty, day in frappe.db.sql(
		"""select pr.procurement_case, pri.item_code, sum(pri.stock_qty), max(pr.posting_date)
		from `tabPurchase Receipt Item` pri join `tabPurchase Receipt` pr on pr.name = pri.parent
		where pr.docstatus = 1 and pr.procurement_case in %(names)s group by pr.procurement_case, pri.item_code
		union all
		select pi.procurement_case, pii.item_code, sum(pii.stock_qty), max(pi.posting_date)
		from `tabPurchase Invoice Item` pii join `tabPurchase Invoice` pi on pi.name = pii.parent
		where pi.docstatus = 1 and pi.update_stock = 1 and pi.procurement_case in %(names)s
		group by pi.procurement_case, pii.item_code""",
		{"names": names},
	):
		got.setdefault(case, {})[item] = got.get(case, {}).get(item, 0.0) + flt(qty)
		last[case] = max(filter(None, [last.get(case), getdate(day)]))
	out = {}
	for case in names:
		base = need.get(case) or need.get("__ordered__" + case) or {}
		if base and case in got and all(got[case].get(i, 0) >= q for i, q in base.items()):
			out[case] = last[case]
	return out


def _invoice_and_payment_dates(names: tuple) -> tuple[dict, dict]:
	invoiced, paid = {}, {}
	settled = set()
	for case, first, outstanding, count in frappe.db.sql(
		"""select procurement_case, min(posting_date), sum(outstanding_amount), count(*) from `tabPurchase Invoice`
		where docstatus = 1 and is_return = 0 and procurement_case in %(names)s group by procurement_case""",
		{"names": names},
	):
		invoiced[case] = getdate(first)
		if count and flt(outstanding) <= 0:
			settled.add(case)
			paid[case] = getdate(first)  # paid on submit (is_paid) unless a payment says otherwise
	for case, day in frappe.db.sql(
		"""select pi.procurement_case, max(pe.posting_date) from `tabPayment Entry Reference` per
		join `tabPayment Entry` pe on pe.name = per.parent
		join `tabPurchase Invoice` pi on pi.name = per.reference_name
		where per.reference_doctype = 'Purchase Invoice' and pe.docstatus = 1 and pi.docstatus = 1
		and pi.procurement_case in %(names)s group by pi.procurement_case""",
		{"names": names},
	):
		if case in settled and day:
			paid[case] = max(paid[case], getdate(day))
	return invoiced, paid
