"""Sites that had Funnel Settings before a field was added get the field's default.

Also run after every migrate (install.after_migrate): it only fills fields never set."""

import frappe

DEFAULTS = {
	"show_stage_bar": 1,
	"history_rows": 20,
	"show_audit_on_save": 1,
	"audit_max_open_stages": 7,
	"stale_escalation_role": "Sales Manager",
	"default_wake_up_days": 30,
	"reanimation_after_days": 90,
	"alarm_min_leads": 20,
	"alarm_max_rate": 10,
	"alarm_window_days": 30,
	"public_intake_limit": 5,
	"public_intake_window": 60,
	"email_intake_enabled": 1,
}


def execute():
	for field, value in DEFAULTS.items():
		if not frappe.db.exists("Singles", {"doctype": "Funnel Settings", "field": field}):
			frappe.db.set_single_value("Funnel Settings", field, value, update_modified=False)
