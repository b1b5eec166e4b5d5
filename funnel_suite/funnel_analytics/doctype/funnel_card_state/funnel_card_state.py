# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Where each card is now: one row per card, kept by `funnel_suite.funnel_analytics.summary`
on every save of a card and rebuilt from the cards by `bench funnel-suite-rebuild-analytics`."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelCardState(DerivedTable):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		amount: DF.Currency
		card_owner: DF.Link | None
		company: DF.Link | None
		expected_close: DF.Date | None
		funnel: DF.Link
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		source: DF.Link | None
		stage: DF.Data | None
		stage_since: DF.Datetime | None
		stage_type: DF.Data | None
		stale_on: DF.Datetime | None
		territory: DF.Link | None
		title: DF.Data | None
	# end: auto-generated types


def on_doctype_update():
	import frappe

	frappe.db.add_unique("Funnel Card State", ["reference_doctype", "reference_name"])
	# Stale Cards: the first page longest overdue first — across funnels by (stale_on, name), in one
	# funnel by (stale_on, stage, name), both in index order — and the count per stage
	frappe.db.add_index("Funnel Card State", ["stage_type", "stale_on"])
	frappe.db.add_index(
		"Funnel Card State", ["stage_type", "funnel", "stale_on", "stage"], index_name="open_stale"
	)
	# Funnel Forecast and Stage Velocity read only these indexes (no row lookups)
	frappe.db.add_index(
		"Funnel Card State",
		["stage_type", "funnel", "expected_close", "stage", "card_owner", "amount"],
		index_name="open_forecast",
	)
	# Stage Velocity's cards now in each stage, also with a company or owner filter (replaces
	# open_age, which lacked them: a filter cost a row lookup per open card)
	frappe.db.add_index(
		"Funnel Card State",
		["stage_type", "funnel", "stage", "stage_since", "company", "card_owner"],
		index_name="open_age_dims",
	)
