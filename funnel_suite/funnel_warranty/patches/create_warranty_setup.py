"""Existing sites: Warranty Claim becomes a card (its funnel fields), gets the route fields, and the
starter warranty route with its branch funnels is created (safe to run twice)."""


def execute():
	from funnel_suite.funnel_warranty.setup import create_warranty_setup
	from funnel_suite.install import create_card_fields

	create_card_fields()
	create_warranty_setup()
