"""Install, migrate and uninstall of the warranty module: the route fields, the decision path and
the replacement serial on ERPNext's Warranty Claim, the `warranty_claim` link on the Maintenance
Visit, Stock Entry and Sales Invoice a claim produces (the app owns the current node, the outcome and the path:
funnels/owned.py), and the starter route with its branch funnels (preset "warranty")."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnel_warranty.documents import LINKED_DOCTYPES, link_field
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
			"fieldname": "warranty_replacement_serial",
			"label": "Replacement Serial No",
			"fieldtype": "Link",
			"options": "Serial No",
			"insert_after": "warranty_outcome",
			"depends_on": "eval:doc.warranty_outcome==='Replace'",
			"no_copy": 1,
			"description": "The serial number of the unit the customer receives instead.",
		},
		{
			"fieldname": "warranty_guide",
			"label": "Warranty Guide",
			"fieldtype": "HTML",
			"insert_after": "warranty_replacement_serial",
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
CLAIM_FIELDS.update({doctype: [link_field(after)] for doctype, after in LINKED_DOCTYPES.items()})
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
	_lt("Replacement Serial No"),
	_lt("The serial number of the unit the customer receives instead."),
	_lt("The warranty claim this document serves (shown in the claim's connections)."),
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
