# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Running totals of the open cards for Funnel Forecast: kept by the app in the transaction of
every write to Funnel Card State (funnel_suite.funnel_analytics.forecast_totals), rebuilt from it
at any time. No secondary index: the primary key (level, funnel prefix, md5) keeps a level's rows
of one funnel together, and the report reads them as one range (forecast_totals.name_range)."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelForecastTotal(DerivedTable):
	pass
