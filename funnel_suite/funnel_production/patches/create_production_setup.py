"""Production orders became cards: their funnel fields, the link on Stock Entry and the default
Production funnel (safe to run twice)."""


def execute():
	from funnel_suite.funnel_production.setup import create_production_setup
	from funnel_suite.install import create_card_fields

	create_card_fields()
	create_production_setup()
