# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""One row per alarm raised about a lead source bringing junk: the history of the alarms, and
how the app knows not to raise the same alarm twice in one window."""

from frappe.model.document import Document


class LeadSourceAlarm(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		campaign: DF.Link | None
		leads_processed: DF.Int
		qualification_rate: DF.Percent
		qualified: DF.Int
		raised_on: DF.Datetime | None
		source: DF.Link | None
		window_days: DF.Int
	# end: auto-generated types

	pass
