# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt
"""Material Consumption vs Plan: planned against issued quantities per order and item, for the
orders the user reads (closed ones included by default); the chart compares them per item."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.engine.production import consumption
from funnel_suite.funnel_production.reports import readable_orders, rows_of


def execute(filters=None):
	filters = frappe._dict(filters or {})
	filters.setdefault("include_closed", 1)
	orders = readable_orders(filters)
	rows = rows_of("Production Material", orders, ["item_code", "qty", "issued_qty"])
	if filters.get("item_code"):
		rows = [r for r in rows if r.item_code == str(filters.item_code)]
	customers = {o.name: o.customer for o in orders}
	data = [
		{
			"production_order": c.order,
			"customer": customers.get(c.order),
			"item_code": c.item_code,
			"planned_qty": c.planned_qty,
			"issued_qty": c.issued_qty,
			"left_qty": c.left_qty,
			"issued_percent": c.issued_percent,
		}
		for c in consumption(rows)
	]
	return columns(), data, None, chart(data)


def columns():
	return [
		{
			"fieldname": "production_order",
			"label": _("Production Order"),
			"fieldtype": "Link",
			"options": "Production Order",
			"width": 120,
		},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 160},
		{"fieldname": "planned_qty", "label": _("Planned Quantity"), "fieldtype": "Float", "width": 120},
		{"fieldname": "issued_qty", "label": _("Issued Quantity"), "fieldtype": "Float", "width": 120},
		{"fieldname": "left_qty", "label": _("Left to Issue"), "fieldtype": "Float", "width": 110},
		{"fieldname": "issued_percent", "label": _("Issued %"), "fieldtype": "Percent", "width": 90},
	]


def chart(data):
	per_item: dict[str, list[float]] = {}
	for row in data:
		planned, issued = per_item.setdefault(row["item_code"], [0.0, 0.0])
		per_item[row["item_code"]] = [planned + row["planned_qty"], issued + row["issued_qty"]]
	if not per_item:
		return None
	items = sorted(per_item, key=lambda i: -per_item[i][0])[:15]
	return {
		"data": {
			"labels": items,
			"datasets": [
				{"name": _("Planned Quantity"), "values": [per_item[i][0] for i in items]},
				{"name": _("Issued Quantity"), "values": [per_item[i][1] for i in items]},
			],
		},
		"type": "bar",
	}
