# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Time to resolution per branch funnel, from the move log: from the claim's entry into the branch
to its first move into the branch's Won or Lost stage — resolved claims, median and p90 days."""

from __future__ import annotations

from frappe import _

from funnel_suite.engine.warranty_reports import resolution_days, resolution_rows
from funnel_suite.funnel_warranty import reports


def execute(filters=None):
	filters = reports.check_filters(filters)
	claims = reports.claims(filters)
	names = tuple(c.claim for c in claims)
	finals = reports.final_stages(reports.branch_funnels())
	rows = resolution_rows(resolution_days(reports.moves(names), finals))
	for row in rows:
		row["branch_label"] = reports.branch_label(row["branch"])
	chart = reports.bar_chart(
		[r["branch_label"] for r in rows], _("Median Days"), [r["median_days"] for r in rows]
	)
	return columns(), rows, None, chart


def columns() -> list[dict]:
	return [
		{"fieldname": "branch_label", "label": _("Branch Funnel"), "fieldtype": "Data", "width": 200},
		{"fieldname": "resolved", "label": _("Resolved Claims"), "fieldtype": "Int", "width": 120},
		{"fieldname": "median_days", "label": _("Median Days"), "fieldtype": "Float", "width": 110},
		{"fieldname": "p90_days", "label": _("P90 Days"), "fieldtype": "Float", "width": 100},
	]
