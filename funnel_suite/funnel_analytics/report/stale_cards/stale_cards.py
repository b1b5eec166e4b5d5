# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Cards past their stage's stale limit. The figures come from `funnel_suite.funnel_analytics.reports`."""

from funnel_suite.funnel_analytics.reports import stale_report


def execute(filters=None):
	return stale_report(filters)
