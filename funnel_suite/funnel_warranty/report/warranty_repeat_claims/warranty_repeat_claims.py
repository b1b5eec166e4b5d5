# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Serial numbers (or items) with repeated warranty claims: at least N claims each."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint

from funnel_suite.engine.warranty_reports import repeat_rows
from funnel_suite.funnel_warranty import reports

GROUPS = ("Serial No", "Item")


def execute(filters=None):
	filters = reports.check_filters(filters)
	group = filters.get("group_by") or "Serial No"
	if group not in GROUPS:
		frappe.throw(
			_("Group By {0} is not allowed. Allowed: {1}.").format(
				frappe.bold(group), ", ".join(_(g) for g in GROUPS)
			),
			title=_("Invalid Filter"),
		)
	min_claims = cint(filters.get("min_claims") or 2)
	if min_claims < 1:
		frappe.throw(_("Minimum Claims must be 1 or more."), title=_("Invalid Filter"))
	key = "serial_no" if group == "Serial No" else "item_code"
	rows = repeat_rows(reports.claims(filters), key=key, min_claims=min_claims)
	top = rows[:10]
	chart = reports.bar_chart([r[key] for r in top], _("Claims"), [r["claims"] for r in top])
	return columns(key), rows, None, chart


def columns(key: str) -> list[dict]:
	# the serial as text, not a link: a support agent reads claims, not the stock's Serial No records
	first = (
		[{"fieldname": "serial_no", "label": _("Serial No"), "fieldtype": "Data", "width": 160}]
		if key == "serial_no"
		else []
	)
	return [
		*first,
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 160},
		{"fieldname": "claims", "label": _("Claims"), "fieldtype": "Int", "width": 80},
		{"fieldname": "first_claim", "label": _("First Claim"), "fieldtype": "Date", "width": 110},
		{"fieldname": "last_claim", "label": _("Last Claim"), "fieldtype": "Date", "width": 110},
		{"fieldname": "outcomes", "label": _("Outcomes"), "fieldtype": "Data", "width": 220},
	]
