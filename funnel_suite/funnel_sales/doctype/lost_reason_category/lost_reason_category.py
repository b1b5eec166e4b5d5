# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe.model.document import Document


class LostReasonCategory(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		category_name: DF.Data
		defers_demand: DF.Check
		description: DF.SmallText | None
	# end: auto-generated types

	pass
