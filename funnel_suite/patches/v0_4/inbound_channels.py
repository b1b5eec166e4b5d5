"""Inbound channels (issue 16): the Lead's Channel field, the Telegram key type of the intake's
key table (rebuilt so Leads and Contacts with a Telegram Chat ID are found by it)."""

from funnel_suite.install import create_card_fields


def execute():
	from funnel_suite.funnel_qualification.keys import backfill

	create_card_fields()
	backfill()
