# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Warranty cost per branch funnel: maintenance visits, parts issued (the stock value of the
submitted Stock Entries linked to the claims) and refunds (submitted Sales Invoice returns), in
total and per claim."""

from __future__ import annotations

from frappe import _

from funnel_suite.engine.warranty_reports import cost_rows
from funnel_suite.funnel_warranty import reports


def execute(filters=None):
	filters = reports.check_filters(filters)
	claims = reports.claims(filters)
	names = tuple(c.claim for c in claims)
	parts = reports.per_claim_sum("Stock Entry", lambda t: t.total_outgoing_value, names)
	refunds = reports.per_claim_sum(
		"Sales Invoice", lambda t: -t.base_grand_total, names, extra=lambda t: t.is_return == 1
	)
	rows = cost_rows(claims, reports.visits(names), parts, refunds)
	for row in rows:
		row["branch_label"] = reports.branch_label(row["branch"])
	chart = reports.bar_chart(
		[r["branch_label"] for r in rows], _("Total Cost"), [r["total_cost"] for r in rows]
	)
	return columns(), rows, None, chart


def columns() -> list[dict]:
	return [
		{"fieldname": "branch_label", "label": _("Branch Funnel"), "fieldtype": "Data", "width": 200},
		{"fieldname": "claims", "label": _("Claims"), "fieldtype": "Int", "width": 80},
		{"fieldname": "visits", "label": _("Maintenance Visits"), "fieldtype": "Int", "width": 130},
		{"fieldname": "parts_cost", "label": _("Parts Cost"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "refunds", "label": _("Refunds"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "total_cost", "label": _("Total Cost"), "fieldtype": "Currency", "width": 120},
		{"fieldname": "cost_per_claim", "label": _("Cost per Claim"), "fieldtype": "Currency", "width": 120},
	]
