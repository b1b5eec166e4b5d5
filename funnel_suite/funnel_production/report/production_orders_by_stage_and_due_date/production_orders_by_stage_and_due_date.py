# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt
"""Production Orders by Stage and Due Date: the open orders the user reads, late ones first; the
chart counts orders per stage."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from funnel_suite.engine.production import WORK_DONE, days_late, orders_late_first
from funnel_suite.funnel_production.reports import readable_orders, rows_of, stage_positions


def execute(filters=None):
	filters = frappe._dict(filters or {})
	today = getdate(nowdate())
	orders = readable_orders(filters)
	for o in orders:
		o.due_date = getdate(o.due_date) if o.due_date else None
	open_works: dict[str, int] = {}
	for w in rows_of("Production Work", orders, ["status"]):
		if w.status != WORK_DONE:
			open_works[w.parent] = open_works.get(w.parent, 0) + 1
	positions = stage_positions(orders)
	data = [
		{
			"production_order": o.name,
			"title": o.title,
			"customer": o.customer,
			"stage": o.funnel_stage,
			"due_date": o.due_date,
			"days_late": days_late(o.due_date, today),
			"open_works": open_works.get(o.name, 0),
		}
		for o in orders_late_first(orders, positions, today)
	]
	return columns(), data, None, chart(data, positions)


def columns():
	return [
		{
			"fieldname": "production_order",
			"label": _("Production Order"),
			"fieldtype": "Link",
			"options": "Production Order",
			"width": 120,
		},
		{"fieldname": "title", "label": _("Job"), "fieldtype": "Data", "width": 200},
		{
			"fieldname": "customer",
			"label": _("Customer"),
			"fieldtype": "Link",
			"options": "Customer",
			"width": 150,
		},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 140},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_late", "label": _("Days Late"), "fieldtype": "Int", "width": 90},
		{"fieldname": "open_works", "label": _("Open Works"), "fieldtype": "Int", "width": 90},
	]


def chart(data, positions):
	from funnel_suite.engine import normalize_stage_name

	counts: dict[str, int] = {}
	for row in data:
		counts[row["stage"] or ""] = counts.get(row["stage"] or "", 0) + 1
	if not counts:
		return None
	stages = sorted(counts, key=lambda s: positions.get(normalize_stage_name(s), len(positions)))
	return {
		"data": {
			"labels": [_(s) for s in stages],
			"datasets": [{"name": _("Orders"), "values": [counts[s] for s in stages]}],
		},
		"type": "bar",
	}
