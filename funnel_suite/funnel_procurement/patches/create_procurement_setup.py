"""Procurement cases became cards: their funnel fields, the links on the buying documents and the
default Procurement funnel (safe to run twice)."""


def execute():
	from funnel_suite.funnel_procurement.setup import create_procurement_setup
	from funnel_suite.install import create_card_fields

	create_card_fields()
	create_procurement_setup()
