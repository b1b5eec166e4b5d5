# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Running totals of the open cards for Funnel Forecast: kept by the app in the transaction of
every write to Funnel Card State (funnel_suite.funnel_analytics.forecast_totals), rebuilt from it
at any time. The primary key (level, funnel prefix, md5) keeps a level's rows of one funnel
together: the report reads them as one range (forecast_totals.name_range)."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelForecastTotal(DerivedTable):
	pass


def on_doctype_update():
	import frappe

	# a source or territory filter reads only the rows of that value (the index holds no counts:
	# a move's upsert of an existing row does not touch it)
	frappe.db.add_index(
		"Funnel Forecast Total", ["level", "funnel", "source", "territory"], index_name="level_funnel_dims"
	)
