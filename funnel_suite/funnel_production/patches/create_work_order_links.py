"""The `production_order` link on Work Order and Job Card ("Create Work Order" on a production
order) for sites that had the production funnel before it (safe to run twice)."""


def execute():
	from funnel_suite.funnel_production.setup import create_production_fields

	create_production_fields()
