# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt
"""Work in Progress by Executor: every unfinished work of the open orders the user reads, with its
executor, planned and actual hours and how late its order is; the chart compares planned and
actual hours per executor."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from funnel_suite.engine.production import WORK_DONE, days_late, executor_load
from funnel_suite.funnel_production.reports import readable_orders, rows_of


def execute(filters=None):
	filters = frappe._dict(filters or {})
	today = getdate(nowdate())
	orders = readable_orders(filters)
	by_name = {o.name: o for o in orders}
	works = [
		w
		for w in rows_of(
			"Production Work",
			orders,
			[
				"name",
				"description",
				"operation",
				"stage",
				"executor",
				"status",
				"planned_hours",
				"actual_hours",
			],
		)
		if w.status != WORK_DONE and (not filters.get("executor") or w.executor == str(filters.executor))
	]
	data = []
	for w in works:
		order = by_name[w.parent]
		w.due_date = order.due_date
		data.append(
			{
				"executor": w.executor,
				"production_order": w.parent,
				"customer": order.customer,
				"order_stage": order.funnel_stage,
				"work": w.description or w.operation,
				"work_stage": w.stage,
				"status": w.status,
				"planned_hours": w.planned_hours,
				"actual_hours": w.actual_hours,
				"due_date": order.due_date,
				"days_late": days_late(getdate(order.due_date) if order.due_date else None, today),
			}
		)
	data.sort(key=lambda r: (r["executor"] or "~", -r["days_late"], r["production_order"]))
	for w in works:
		w.due_date = getdate(w.due_date) if w.due_date else None
	loads = executor_load(works, today)
	return columns(), data, None, chart(loads), summary(loads)


def columns():
	return [
		{
			"fieldname": "executor",
			"label": _("Executor"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
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
			"width": 140,
		},
		{"fieldname": "order_stage", "label": _("Order Stage"), "fieldtype": "Data", "width": 130},
		{"fieldname": "work", "label": _("Work"), "fieldtype": "Data", "width": 180},
		{"fieldname": "work_stage", "label": _("Work Stage"), "fieldtype": "Data", "width": 130},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{"fieldname": "planned_hours", "label": _("Planned Hours"), "fieldtype": "Float", "width": 100},
		{"fieldname": "actual_hours", "label": _("Actual Hours"), "fieldtype": "Float", "width": 100},
		{"fieldname": "due_date", "label": _("Due Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_late", "label": _("Days Late"), "fieldtype": "Int", "width": 90},
	]


def chart(loads):
	if not loads:
		return None
	return {
		"data": {
			"labels": [x.executor or _("No executor") for x in loads],
			"datasets": [
				{"name": _("Planned Hours"), "values": [x.planned_hours for x in loads]},
				{"name": _("Actual Hours"), "values": [x.actual_hours for x in loads]},
			],
		},
		"type": "bar",
	}


def summary(loads):
	return [
		{"label": _("Open Works"), "value": sum(x.open_works for x in loads), "datatype": "Int"},
		{
			"label": _("Late Works"),
			"value": sum(x.late_works for x in loads),
			"datatype": "Int",
			"indicator": "Red" if any(x.late_works for x in loads) else "Green",
		},
	]
