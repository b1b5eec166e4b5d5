"""Install, migrate and uninstall of the procurement funnel: the `procurement_case` link on
ERPNext's buying documents (carried from document to document by ERPNext's own mappers, which
copy fields of the same name) and the default Procurement funnel (preset "procurement")."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_custom_fields

CASE_FIELD = "procurement_case"
# the buying documents a case follows, with the field the link goes after on their forms
BUYING_DOCTYPES = {
	"Material Request": "schedule_date",
	"Request for Quotation": "transaction_date",
	"Supplier Quotation": "supplier_name",
	"Purchase Order": "supplier_name",
	"Purchase Receipt": "supplier_name",
	"Purchase Invoice": "supplier_name",
}
PROCUREMENT_FIELDS = {
	doctype: [
		{
			"fieldname": CASE_FIELD,
			"label": "Procurement Case",
			"fieldtype": "Link",
			"options": "Procurement Case",
			"insert_after": after,
			"in_standard_filter": 1,
			"search_index": 1,
			"description": "The procurement case this document belongs to: its submit and cancel move the case.",
		}
	]
	for doctype, after in BUYING_DOCTYPES.items()
}
# The ERPNext Contract made from a case (its Create > Contract button) names the case too: its save
# links the contract back into the case's `contract` field (funnel_procurement/contracts.py).
PROCUREMENT_FIELDS["Contract"] = [
	{
		"fieldname": CASE_FIELD,
		"label": "Procurement Case",
		"fieldtype": "Link",
		"options": "Procurement Case",
		"insert_after": "party_name",
		"search_index": 1,
		"description": "The procurement case this contract is signed for: saving the contract links it to the case.",
	}
]

_LABELS = (
	_lt("Procurement Case"),
	_lt("The procurement case this document belongs to: its submit and cancel move the case."),
	_lt("The procurement case this contract is signed for: saving the contract links it to the case."),
)


def create_procurement_fields() -> None:
	create_custom_fields(PROCUREMENT_FIELDS, update=True)


def create_procurement_setup() -> None:
	"""after_install / after_migrate / patch: the links and the default Procurement funnel."""
	from funnel_suite.funnels.presets import apply_preset

	create_procurement_fields()
	if not frappe.db.exists("Funnel", {"document_type": "Procurement Case"}):
		apply_preset("procurement")


def remove_procurement_fields() -> None:
	"""before_uninstall: drop the links; the buying documents and the cases stay."""
	remove_custom_fields(PROCUREMENT_FIELDS)
