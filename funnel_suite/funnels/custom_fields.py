"""Removing the custom fields a module of the app added to host forms (on uninstall)."""

from __future__ import annotations

import frappe


def remove_custom_fields(fields_by_doctype: dict[str, list[dict]]) -> None:
	"""Drop these Custom Fields (as given to create_custom_fields); the documents' data stays."""
	for doctype, fields in fields_by_doctype.items():
		names = [f["fieldname"] for f in fields]
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", names)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def remove_host_fields(doctypes, fieldnames, property_setters: bool = True) -> None:
	"""Drop the Custom Fields `fieldnames` from each doctype and (unless told not to) the Property
	Setters on them; the documents' data stays."""
	fieldnames = list(fieldnames)
	for doctype in doctypes:
		for name in frappe.get_all(
			"Custom Field", filters={"dt": doctype, "fieldname": ("in", fieldnames)}, pluck="name"
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		if property_setters:
			frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", fieldnames)})
		frappe.clear_cache(doctype=doctype)
