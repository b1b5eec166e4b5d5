"""Custom fields of the analytics: the journey tab on the Customer form."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

JOURNEY_FIELDS = {
	"Customer": [
		{
			"fieldname": "funnel_journey_tab",
			"label": "Funnels",
			"fieldtype": "Tab Break",
			"insert_after": "customer_details",
		},
		{
			"fieldname": "funnel_journey",
			"label": "Customer Journey",
			"fieldtype": "HTML",
			"insert_after": "funnel_journey_tab",
		},
	]
}

_LABELS = (_lt("Funnels"), _lt("Customer Journey"))


def create_journey_fields() -> None:
	create_custom_fields(JOURNEY_FIELDS, update=True)


def remove_journey_fields() -> None:
	"""before_uninstall: drop the tab; the customers' data stays."""
	for doctype, fields in JOURNEY_FIELDS.items():
		names = [f["fieldname"] for f in fields]
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", names)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)
