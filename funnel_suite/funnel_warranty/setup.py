"""Install, migrate and uninstall of the warranty module: the route fields and the decision path on
ERPNext's Warranty Claim (the app owns the current node, the outcome and the path:
funnels/owned.py), and the starter route with its branch funnels (preset "warranty")."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_custom_fields

CLAIM_FIELDS = {
	"Warranty Claim": [
		{
			"fieldname": "warranty_route_section",
			"label": "Warranty Route",
			"fieldtype": "Section Break",
			"insert_after": "amc_expiry_date",
			"collapsible": 0,
		},
		{
			"fieldname": "warranty_route",
			"label": "Warranty Route",
			"fieldtype": "Link",
			"options": "Warranty Route",
			"insert_after": "warranty_route_section",
			"in_standard_filter": 1,
			"no_copy": 1,
			"description": "The company's warranty regulation this claim follows (the root of an active route).",
		},
		{
			"fieldname": "warranty_node",
			"label": "Current Step",
			"fieldtype": "Link",
			"options": "Warranty Route",
			"insert_after": "warranty_route",
			"read_only": 1,
			"no_copy": 1,
			"description": "The question the claim waits at, or the outcome it reached.",
		},
		{
			"fieldname": "warranty_route_column",
			"fieldtype": "Column Break",
			"insert_after": "warranty_node",
		},
		{
			"fieldname": "warranty_outcome",
			"label": "Outcome",
			"fieldtype": "Select",
			"options": "\nRepair\nReplace\nRefund\nPaid repair offer\nReject with explanation",
			"insert_after": "warranty_route_column",
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
			"search_index": 1,
		},
		{
			"fieldname": "warranty_guide",
			"label": "Warranty Guide",
			"fieldtype": "HTML",
			"insert_after": "warranty_outcome",
		},
		{
			"fieldname": "warranty_decision_path",
			"label": "Decision Path",
			"fieldtype": "Table",
			"options": "Warranty Decision Step",
			"insert_after": "warranty_guide",
			"read_only": 1,
			"no_copy": 1,
		},
	]
}
CLAIM_FIELDNAMES = tuple(f["fieldname"] for f in CLAIM_FIELDS["Warranty Claim"])

_LABELS = (
	_lt("Warranty Route"),
	_lt("Current Step"),
	_lt("Outcome"),
	_lt("Warranty Guide"),
	_lt("Decision Path"),
	_lt("The company's warranty regulation this claim follows (the root of an active route)."),
	_lt("The question the claim waits at, or the outcome it reached."),
	_lt("Repair"),
	_lt("Replace"),
	_lt("Refund"),
	_lt("Paid repair offer"),
	_lt("Reject with explanation"),
)


def create_warranty_fields() -> None:
	create_custom_fields(CLAIM_FIELDS, update=True)


def create_warranty_setup() -> None:
	"""after_install / after_migrate / patch: the claim's fields; the branch funnels and the starter
	route (preset "warranty") when the site has no Warranty Claim funnel yet."""
	from funnel_suite.funnel_warranty.preset import apply_warranty_preset

	create_warranty_fields()
	if not frappe.db.exists("Funnel", {"document_type": "Warranty Claim"}):
		apply_warranty_preset()


def remove_warranty_fields() -> None:
	"""before_uninstall: drop the claim's route fields; claims, routes and the move log stay."""
	remove_custom_fields(CLAIM_FIELDS)
