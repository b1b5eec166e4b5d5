# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Time in each stage and the bottleneck. The figures come from `funnel_suite.funnel_analytics.reports`."""

from funnel_suite.funnel_analytics.reports import velocity_report


def execute(filters=None):
	return velocity_report(filters)
