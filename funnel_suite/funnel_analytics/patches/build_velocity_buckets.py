"""Existing sites: build the Stage Velocity histograms (Funnel Velocity Bucket) from the move log."""

from funnel_suite.funnel_analytics.velocity_buckets import rebuild_velocity


def execute():
	rebuild_velocity()
