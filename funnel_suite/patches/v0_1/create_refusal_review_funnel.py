"""Refusal reviews became cards of their own funnel: add its fields, its default funnel, and
place the reviews that exist (safe to run twice)."""

from funnel_suite.install import create_card_fields, create_default_funnels, create_roles


def execute():
	from funnel_suite.patches.v0_1.place_existing_cards import place_existing_cards

	create_roles()
	create_card_fields()
	create_default_funnels()
	place_existing_cards()
