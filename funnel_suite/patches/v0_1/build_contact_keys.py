"""The intake's key table: build it for the Leads and Contacts a site already has."""

from funnel_suite.install import create_card_fields


def execute():
	from funnel_suite.funnel_qualification.keys import backfill

	create_card_fields()
	backfill()
