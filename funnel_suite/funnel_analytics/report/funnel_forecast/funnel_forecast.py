# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Open amount weighted by stage probability. The figures come from `funnel_suite.funnel_analytics.reports`."""

from funnel_suite.funnel_analytics.reports import forecast_report


def execute(filters=None):
	return forecast_report(filters)
