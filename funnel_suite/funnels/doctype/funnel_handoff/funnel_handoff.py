# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe.model.document import Document


class FunnelHandoff(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		action: DF.Literal["Move", "Create", "Create Project"]
		condition_field: DF.Data | None
		condition_value: DF.Data | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		target_funnel: DF.Link
		target_stage: DF.Data | None
		trigger_stage: DF.Data
	# end: auto-generated types

	pass
