"""Existing sites: give logged moves the card's dimensions and build the analytics tables."""

from funnel_suite.funnel_analytics.summary import rebuild


def execute():
	rebuild()
