# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Pre-aggregated moves per funnel, period (day or month), stage and card dimensions.

Derived data: written only by `funnel_suite.funnel_analytics.summary` in the transaction of each
move, and rebuilt from the move log by `bench funnel-suite-rebuild-analytics`."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelSummary(DerivedTable):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		advanced: DF.Int
		card_owner: DF.Link | None
		company: DF.Link | None
		entered: DF.Int
		entered_amount: DF.Currency
		exited: DF.Int
		funnel: DF.Link
		grain: DF.Literal["Day", "Month", "Company Day", "Company Month"]
		lost: DF.Int
		period: DF.Date
		seconds_out: DF.Int
		source: DF.Link | None
		stage: DF.Data
		territory: DF.Link | None
		won: DF.Int
	# end: auto-generated types


def on_doctype_update():
	import frappe

	frappe.db.add_index("Funnel Summary", ["funnel", "grain", "period"])
