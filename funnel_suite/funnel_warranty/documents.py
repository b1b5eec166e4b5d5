"""ERPNext's own documents of a warranty claim: the Maintenance Visit of a repair (ERPNext's mapper
from Warranty Claim), the parts issued for it (a Stock Entry), a refund (a Sales Invoice return).
Each carries a `warranty_claim` link (custom field) and is listed in the claim's connections.

A Maintenance Visit made by ERPNext's own button ("Maintenance Visit" on the claim, mapper
`erpnext.support.doctype.warranty_claim.warranty_claim.make_maintenance_visit`) names the claim in
its purposes (`prevdoc_doctype` / `prevdoc_docname`); `link_visit` copies that into the link."""

from __future__ import annotations

import frappe
from frappe import _

CLAIM = "Warranty Claim"
LINK_FIELD = "warranty_claim"
# the documents a claim's branches produce, with the field the link goes after on their forms
LINKED_DOCTYPES = {
	"Maintenance Visit": "maintenance_schedule_detail",
	"Stock Entry": "purpose",
	"Sales Invoice": "customer_name",
}


def link_field(after: str) -> dict:
	return {
		"fieldname": LINK_FIELD,
		"label": "Warranty Claim",
		"fieldtype": "Link",
		"options": CLAIM,
		"insert_after": after,
		"search_index": 1,
		"in_standard_filter": 1,
		"description": "The warranty claim this document serves (shown in the claim's connections).",
	}


def link_visit(doc, method=None) -> None:
	"""doc_events before_validate of Maintenance Visit: a visit made from a claim links to it."""
	if doc.get(LINK_FIELD):
		return
	for row in doc.get("purposes") or ():
		if row.get("prevdoc_doctype") == CLAIM and row.get("prevdoc_docname"):
			doc.set(LINK_FIELD, row.prevdoc_docname)
			return


def check_claim_link(doc, method=None) -> None:
	"""doc_events validate of the linked doctypes: linking a document to a claim needs read on it
	(the link puts the document into the claim's connections), and the claim's customer must be
	the document's."""
	claim = doc.get(LINK_FIELD)
	if not claim:
		return
	before = doc.get_doc_before_save()
	if before is not None and before.get(LINK_FIELD) == claim:
		return
	frappe.has_permission(CLAIM, "read", claim, throw=True)
	customer = frappe.db.get_value(CLAIM, claim, "customer")
	if doc.meta.has_field("customer") and doc.get("customer") and customer and doc.customer != customer:
		frappe.throw(
			_("{0} {1} is for customer {2}; Warranty Claim {3} is for {4}.").format(
				_(doc.doctype),
				doc.name or "",
				frappe.bold(doc.customer),
				frappe.bold(claim),
				frappe.bold(customer),
			),
			title=_("Wrong Warranty Claim"),
		)


def claim_dashboard(data):
	"""override_doctype_dashboards for Warranty Claim: its visits, parts and refunds."""
	data = frappe._dict(data or {})
	data.fieldname = data.get("fieldname") or LINK_FIELD
	data.setdefault("non_standard_fieldnames", {})
	for doctype in LINKED_DOCTYPES:
		data.non_standard_fieldnames.setdefault(doctype, LINK_FIELD)
	data.setdefault("transactions", []).append({"label": _("Warranty"), "items": list(LINKED_DOCTYPES)})
	return data


def _check(claim: str, target: str):
	doc = frappe.get_doc(CLAIM, claim)
	doc.check_permission("read")
	frappe.has_permission(target, "create", throw=True)
	return doc


@frappe.whitelist()
def make_warranty_stock_entry(claim: str):
	"""An unsaved Stock Entry (Material Issue) for the parts of the claim's repair."""
	doc = _check(claim, "Stock Entry")
	entry = frappe.new_doc("Stock Entry")
	entry.stock_entry_type = (
		frappe.db.get_value("Stock Entry Type", {"purpose": "Material Issue"}) or "Material Issue"
	)
	entry.purpose = "Material Issue"
	entry.company = doc.company
	entry.set(LINK_FIELD, doc.name)
	entry.remarks = _("Parts for Warranty Claim {0}").format(doc.name)
	return entry


@frappe.whitelist()
def make_warranty_credit_note(claim: str, sales_invoice: str):
	"""An unsaved Sales Invoice return (credit note) of the customer's invoice, for the refund."""
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	doc = _check(claim, "Sales Invoice")
	invoice = frappe.get_doc("Sales Invoice", sales_invoice)
	invoice.check_permission("read")
	if invoice.customer != doc.customer or invoice.docstatus != 1 or invoice.is_return:
		frappe.throw(
			_("Sales Invoice {0} is not a submitted invoice of customer {1}.").format(
				frappe.bold(invoice.name), frappe.bold(doc.customer)
			),
			title=_("Wrong Invoice"),
		)
	credit = make_sales_return(invoice.name)
	credit.set(LINK_FIELD, doc.name)
	return credit
