# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""How cards convert stage to stage in a period. The figures come from `funnel_suite.funnel_analytics.reports`."""

from funnel_suite.funnel_analytics.reports import conversion_report


def execute(filters=None):
	return conversion_report(filters)
