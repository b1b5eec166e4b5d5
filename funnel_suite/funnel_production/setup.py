"""Install, migrate and uninstall of the production funnel: the `production_order` link on ERPNext's
Stock Entry (and the material row on its lines, which issued quantities are counted by), on Work
Order and Job Card, and the default Production funnel (preset "production")."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_custom_fields

PRODUCTION_FIELDS = {
	"Stock Entry": [
		{
			"fieldname": "production_order",
			"label": "Production Order",
			"fieldtype": "Link",
			"options": "Production Order",
			"insert_after": "stock_entry_type",
			"in_standard_filter": 1,
			"search_index": 1,
			"no_copy": 1,
			"description": "The production order whose materials this entry issues: its submit and cancel change the order's issued quantities.",
		}
	],
	# "Create Work Order" on an order (funnel_production/work_orders.py): the app sets the link, the
	# Job Cards of the Work Order carry it, their submit completes the order's works
	"Work Order": [
		{
			"fieldname": "production_order",
			"label": "Production Order",
			"fieldtype": "Link",
			"options": "Production Order",
			"insert_after": "sales_order",
			"read_only": 1,
			"in_standard_filter": 1,
			"search_index": 1,
			"no_copy": 1,
			"description": "The production order this Work Order was created for: its Job Cards complete the order's works, its completion moves the order to the ready stage.",
		}
	],
	"Job Card": [
		{
			"fieldname": "production_order",
			"label": "Production Order",
			"fieldtype": "Link",
			"options": "Production Order",
			"insert_after": "work_order",
			"read_only": 1,
			"search_index": 1,
			"no_copy": 1,
			"fetch_from": "work_order.production_order",
			"description": "The production order of the Work Order: submitting this Job Card marks the order's works of the same operation Done.",
		}
	],
	"Stock Entry Detail": [
		{
			"fieldname": "production_material",
			"label": "Production Material Row",
			"fieldtype": "Data",
			"insert_after": "item_code",
			"read_only": 1,
			"hidden": 1,
			"no_copy": 1,
		}
	],
}

_LABELS = (
	_lt("Production Order"),
	_lt(
		"The production order whose materials this entry issues: its submit and cancel change the order's issued quantities."
	),
	_lt("Production Material Row"),
	_lt(
		"The production order this Work Order was created for: its Job Cards complete the order's works, its completion moves the order to the ready stage."
	),
	_lt(
		"The production order of the Work Order: submitting this Job Card marks the order's works of the same operation Done."
	),
)


def create_production_fields() -> None:
	create_custom_fields(PRODUCTION_FIELDS, update=True)


def create_production_setup() -> None:
	"""after_install / after_migrate / patch: the links and the default Production funnel."""
	from funnel_suite.funnels.presets import apply_preset

	create_production_fields()
	from funnel_suite.funnel_production.project import create_project_fields

	create_project_fields()  # construction: the project an order opened links back to it
	if not frappe.db.exists("Funnel", {"document_type": "Production Order"}):
		apply_preset("production")


def remove_production_fields() -> None:
	"""before_uninstall: drop the links; the stock entries and the orders stay."""
	remove_custom_fields(PRODUCTION_FIELDS)
	from funnel_suite.funnel_production.project import remove_project_fields

	remove_project_fields()
