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
