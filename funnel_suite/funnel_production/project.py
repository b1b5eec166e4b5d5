"""Production orders and ERPNext Projects (construction: the order handed over to installation opens
the project on site). The project itself is opened by the generic Create Project hand-off
(funnel_suite.funnels.project_handoffs); this module gives it its way back to the order: the
`production_order` link on Project (the app's to write: the hand-off finds the project by it, so an
order opens one project however often it reaches the stage), and the order's Connections listing
its project."""

from __future__ import annotations

import frappe
from frappe import _, _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnel_production.rows import ORDER
from funnel_suite.funnels.custom_fields import remove_custom_fields

PROJECT_FIELDS = {
	"Project": [
		{
			"fieldname": "production_order",
			"label": "Production Order",
			"fieldtype": "Link",
			"options": ORDER,
			"insert_after": "sales_order",
			"read_only": 1,
			"search_index": 1,
			"no_copy": 1,
			"description": "The production order whose hand-over to installation opened this project.",
		}
	],
}

_LABELS = (_lt("The production order whose hand-over to installation opened this project."),)


def create_project_fields() -> None:
	create_custom_fields(PROJECT_FIELDS, update=True)


def remove_project_fields() -> None:
	"""before_uninstall: drop the link; the projects and their tasks stay."""
	remove_custom_fields(PROJECT_FIELDS)


def order_dashboard(data):
	"""Connections of a Production Order: the project it opened (through the user's permissions)."""
	data = frappe._dict(data)
	data.setdefault("non_standard_fieldnames", {})["Project"] = "production_order"
	data.setdefault("transactions", []).append({"label": _("Construction"), "items": ["Project"]})
	return data
