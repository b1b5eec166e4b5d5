# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Cross-sell Leads: disqualified leads that are prospects for another product line."""

import frappe
from frappe import _
from frappe.utils import add_days


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = [["funnel_target_for", "is", "set"]]
	if filters.get("target_for"):
		conditions.append(["funnel_target_for", "=", filters.target_for])
	if filters.get("from_date"):
		conditions.append(["modified", ">=", filters.from_date])
	if filters.get("to_date"):
		conditions.append(["modified", "<", add_days(filters.to_date, 1)])
	rows = frappe.get_list(
		"Lead",
		filters=conditions,
		fields=[
			"name",
			"lead_name",
			"company_name",
			"email_id",
			"mobile_no",
			"source",
			"funnel_target_for",
			"funnel_disqualification_reason",
			"funnel_disqualification_note",
			"lead_owner",
		],
		order_by="funnel_target_for asc, modified desc",
	)
	columns = [
		{"fieldname": "name", "label": _("Lead"), "fieldtype": "Link", "options": "Lead", "width": 160},
		{"fieldname": "lead_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "company_name", "label": _("Organization"), "fieldtype": "Data", "width": 160},
		{"fieldname": "email_id", "label": _("Email"), "fieldtype": "Data", "width": 180},
		{"fieldname": "mobile_no", "label": _("Mobile"), "fieldtype": "Data", "width": 120},
		{
			"fieldname": "source",
			"label": _("Source"),
			"fieldtype": "Link",
			"options": "Lead Source",
			"width": 120,
		},
		{
			"fieldname": "funnel_target_for",
			"label": _("Prospect For"),
			"fieldtype": "Link",
			"options": "Item Group",
			"width": 150,
		},
		{
			"fieldname": "funnel_disqualification_reason",
			"label": _("Disqualified Because"),
			"fieldtype": "Link",
			"options": "Disqualification Reason",
			"width": 160,
		},
		{"fieldname": "funnel_disqualification_note", "label": _("Note"), "fieldtype": "Data", "width": 200},
		{
			"fieldname": "lead_owner",
			"label": _("Lead Owner"),
			"fieldtype": "Link",
			"options": "User",
			"width": 150,
		},
	]
	return columns, rows
