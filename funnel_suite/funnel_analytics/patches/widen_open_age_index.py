"""Existing sites: Stage Velocity's index on the current-stage table now carries company and owner
(`open_age_dims`, added by the DocType sync); the narrower `open_age` it replaces goes."""

import frappe


def execute():
	if frappe.db.sql("show index from `tabFunnel Card State` where Key_name = 'open_age'"):
		frappe.db.sql_ddl("alter table `tabFunnel Card State` drop index `open_age`")
