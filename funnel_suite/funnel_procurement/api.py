"""Whitelisted methods of the procurement funnel (re-exported as `funnel_suite.api.<name>`).

The Create buttons of a case: an unsaved Request for Quotation, Supplier Quotation or Purchase
Order with the case's supplier, company and items and `procurement_case` set, built by the host's
own mapper (`frappe.model.mapper.get_mapped_doc`, as ERPNext's buying mappers are) and filled in
by ERPNext's `set_missing_values`. Permission first: read on the case, create on the target.
"""

from __future__ import annotations

import frappe
from frappe.model.mapper import get_mapped_doc
from frappe.utils import flt, nowdate

CASE = "Procurement Case"


def _check(source_name: str, target: str) -> None:
	frappe.has_permission(CASE, "read", source_name, throw=True)
	frappe.has_permission(target, "create", throw=True)


def _map(source_name: str, target: str, target_doc=None, item_fields: dict | None = None, postprocess=None):
	_check(source_name, target)

	def fill_item(source, target_row, source_parent):
		target_row.schedule_date = source.schedule_date or source_parent.required_by or nowdate()
		# the case row's UOM and its conversion (set on the case's save), not ERPNext's default
		# purchase UOM: the order's stock quantity is the case's
		target_row.uom = source.uom or source.stock_uom or target_row.get("uom")
		target_row.conversion_factor = flt(source.get("conversion_factor")) or 1
		if target_row.meta.has_field("stock_qty"):
			target_row.stock_qty = flt(source.qty) * flt(target_row.conversion_factor)

	def finish(source, doc):
		doc.procurement_case = source.name
		if doc.meta.has_field("schedule_date"):
			doc.schedule_date = source.required_by or min(
				(r.schedule_date for r in doc.items if r.schedule_date), default=nowdate()
			)
		if postprocess:
			postprocess(source, doc)
		doc.run_method("set_missing_values")
		if doc.meta.has_field("currency"):  # priced documents (not a Request for Quotation)
			doc.run_method("calculate_taxes_and_totals")

	return get_mapped_doc(
		CASE,
		source_name,
		{
			CASE: {"doctype": target, "field_no_map": ["naming_series", "title", "status"]},
			"Procurement Case Item": {
				"doctype": f"{target} Item",
				"field_map": {"uom": "uom", "warehouse": "warehouse", "qty": "qty", **(item_fields or {})},
				"postprocess": fill_item,
			},
		},
		target_doc,
		finish,
	)


@frappe.whitelist()
def make_case_purchase_order(source_name: str, target_doc=None):
	"""An unsaved Purchase Order of the case (its supplier, items at the expected rates)."""
	return _map(source_name, "Purchase Order", target_doc, {"expected_rate": "rate"})


@frappe.whitelist()
def make_case_supplier_quotation(source_name: str, target_doc=None):
	"""An unsaved Supplier Quotation of the case."""
	return _map(source_name, "Supplier Quotation", target_doc, {"expected_rate": "rate"})


@frappe.whitelist()
def make_case_request_for_quotation(source_name: str, target_doc=None):
	"""An unsaved Request for Quotation of the case, addressed to its supplier when it has one."""

	def add_supplier(source, doc):
		if source.supplier and not any(r.supplier == source.supplier for r in doc.get("suppliers") or []):
			doc.append("suppliers", {"supplier": source.supplier})

	return _map(source_name, "Request for Quotation", target_doc, postprocess=add_supplier)
