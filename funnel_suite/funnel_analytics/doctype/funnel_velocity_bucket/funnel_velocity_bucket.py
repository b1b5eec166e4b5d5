# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""How many cards left a stage after how long, per log-spaced duration bucket, funnel, period
(day or month), stage, company and at most one more dimension (owner, source or territory).

Derived data: written only by `funnel_suite.funnel_analytics.velocity_buckets` in the transaction
of each move, and rebuilt from the move log by `bench funnel-suite-rebuild-analytics`."""

from funnel_suite.funnel_analytics.summary import DerivedTable


class FunnelVelocityBucket(DerivedTable):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		bucket: DF.Int
		company: DF.Link | None
		dimension: DF.Data | None
		dimension_value: DF.Data | None
		exits: DF.Int
		funnel: DF.Link
		grain: DF.Literal["Day", "Month"]
		period: DF.Date
		seconds: DF.Int
		stage: DF.Data
	# end: auto-generated types
