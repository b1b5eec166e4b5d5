# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""The intake's lookup index: one row per normalized key of a Lead or Contact. Written only by the
app (funnel_suite.funnel_qualification.keys); a unique index keeps one row per key and document."""

import frappe
from frappe.model.document import Document


class FunnelContactKey(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		archived: DF.Check
		customer: DF.Link | None
		key_type: DF.Literal["external_id", "email", "phone"]
		key_value: DF.Data
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
	# end: auto-generated types

	pass


def on_doctype_update():
	frappe.db.add_unique(
		"Funnel Contact Key",
		["key_type", "key_value", "reference_doctype", "reference_name"],
		constraint_name="unique_key_per_document",
	)
	frappe.db.add_index("Funnel Contact Key", ["reference_doctype", "reference_name"])
