"""Existing sites: Warranty Claim becomes a Card Document Type of Funnel Settings, as on a new
install (its funnel fields; no funnel until a preset gives it one)."""

from funnel_suite.funnels.card_types import add_default_card_doctypes


def execute():
	add_default_card_doctypes()
