# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe.model.document import Document


class FunnelStage(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allowed_next: DF.SmallText | None
		allowed_roles: DF.SmallText | None
		indicator: DF.Literal[
			"", "Blue", "Cyan", "Gray", "Green", "Light Blue", "Orange", "Pink", "Purple", "Red", "Yellow"
		]
		next_action: DF.Data | None
		next_action_assign_to: DF.Link | None
		next_action_due_days: DF.Int
		next_action_role: DF.Link | None
		parent: DF.Data
		parentfield: DF.Data
		parenttype: DF.Data
		probability: DF.Percent
		required_fields: DF.SmallText | None
		stage_name: DF.Data
		stage_type: DF.Literal["Open", "Won", "Lost"]
		stale_after_days: DF.Int
	# end: auto-generated types

	pass
