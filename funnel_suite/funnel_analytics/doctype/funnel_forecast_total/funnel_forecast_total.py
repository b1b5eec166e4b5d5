# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Running totals of the open cards for Funnel Forecast: kept by the app in the transaction of
every write to Funnel Card State (funnel_suite.funnel_analytics.forecast_totals), rebuilt from it
at any time."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelForecastTotal(DerivedTable):
	pass


def on_doctype_update():
	import frappe

	# the report reads one level of one funnel (or every funnel), narrowed by source and
	# territory on the levels that keep them, then by close month
	frappe.db.add_index(
		"Funnel Forecast Total",
		["level", "funnel", "source", "territory", "month"],
		index_name="level_funnel_dims_month",
	)
