"""Existing sites: Funnel Forecast's running totals built from the current-stage table (the app
keeps them from then on, in the transaction of every write to it)."""

from funnel_suite.funnel_analytics import forecast_totals


def execute():
	forecast_totals.rebuild()
