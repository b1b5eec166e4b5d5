# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe.model.document import Document


class ProcurementAlarm(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		buyer: DF.Link | None
		cause: DF.Literal["Late delivery", "Overdue invoice"]
		documents: DF.SmallText | None
		escalated_on: DF.Date | None
		procurement_case: DF.Link
		raised_on: DF.Date | None
		resolved_on: DF.Date | None
		status: DF.Literal["Open", "Resolved"]
	# end: auto-generated types

	# written only by the daily job (funnel_suite.funnel_procurement.alarms) inside app_writes();
	# any other save is refused by funnel_suite.funnels.owned (WHOLE_DOCUMENT)
