"""Sites that had Funnel Settings before a field was added get the field's default."""

import frappe

DEFAULTS = {
	"show_stage_bar": 1,
	"history_rows": 20,
	"show_audit_on_save": 1,
	"audit_max_open_stages": 7,
	"stale_escalation_role": "Sales Manager",
}


def execute():
	for field, value in DEFAULTS.items():
		if not frappe.db.exists("Singles", {"doctype": "Funnel Settings", "field": field}):
			frappe.db.set_single_value("Funnel Settings", field, value, update_modified=False)
