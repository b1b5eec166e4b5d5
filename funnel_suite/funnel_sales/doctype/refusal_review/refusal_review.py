# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class RefusalReview(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		categories: DF.SmallText | None
		coaching_note: DF.Text | None
		company: DF.Link | None
		corrected_category: DF.Link | None
		corrected_reason: DF.Link | None
		customer: DF.Link | None
		customer_name: DF.Data | None
		deal_activity: DF.HTMLEditor | None
		deal_funnel: DF.Link | None
		lost_detail: DF.Text | None
		lost_on: DF.Datetime | None
		lost_reasons: DF.SmallText | None
		lost_stage: DF.Data | None
		opportunity: DF.Link
		return_stage: DF.Data | None
		reviewed_on: DF.Datetime | None
		reviewer: DF.Link | None
		salesperson: DF.Link | None
		status: DF.Literal["Pending", "Verified", "Returned"]
	# end: auto-generated types

	def validate(self):
		if not self.is_new() and not self.flags.from_verdict:
			frappe.throw(
				_(
					"A refusal review changes only through its verdict buttons (Verify, Return to Work), also on the Kanban board."
				),
				title=_("Read Only"),
			)

	def on_trash(self):
		# deleted only together with its deal (funnel_suite.funnel_sales.refusals.on_deal_deleted)
		if not self.flags.deleted_with_deal:
			frappe.throw(
				_(
					"Refusal reviews are the history of the team's losses and are never deleted. They go only when a user who may delete their deal deletes it."
				)
			)
