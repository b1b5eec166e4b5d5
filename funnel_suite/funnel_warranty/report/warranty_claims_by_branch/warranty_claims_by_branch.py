# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Warranty claims per period (of the claim date), branch funnel and outcome, and how many are
closed; chart: claims per branch."""

from __future__ import annotations

from frappe import _

from funnel_suite.engine.warranty_reports import branch_rows
from funnel_suite.funnel_warranty import reports


def execute(filters=None):
	filters = reports.check_filters(filters)
	rows = branch_rows(reports.claims(filters), filters.periodicity)
	for row in rows:
		row["branch_label"] = reports.branch_label(row["branch"])
		row["outcome"] = _(row["outcome"]) if row["outcome"] else ""
	totals: dict[str, int] = {}
	for row in rows:
		totals[row["branch_label"]] = totals.get(row["branch_label"], 0) + row["claims"]
	chart = reports.bar_chart(list(totals), _("Claims"), list(totals.values()))
	return columns(), rows, None, chart


def columns() -> list[dict]:
	return [
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 90},
		{"fieldname": "branch_label", "label": _("Branch Funnel"), "fieldtype": "Data", "width": 200},
		{"fieldname": "outcome", "label": _("Outcome"), "fieldtype": "Data", "width": 180},
		{"fieldname": "claims", "label": _("Claims"), "fieldtype": "Int", "width": 90},
		{"fieldname": "closed", "label": _("Closed Claims"), "fieldtype": "Int", "width": 110},
	]
