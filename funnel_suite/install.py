"""Install, migrate and uninstall hooks: each module's setup (its custom fields, roles, default
records, uninstall) called in a fixed order; see each `<module>/setup.py`. Host fields first (later
modules place theirs after the card fields), then default records, then what reads them."""

from __future__ import annotations

import frappe

from funnel_suite.funnel_analytics import setup as analytics
from funnel_suite.funnel_cadences import setup as cadences
from funnel_suite.funnel_procurement import setup as procurement
from funnel_suite.funnel_production import setup as production
from funnel_suite.funnel_qualification import setup as qualification
from funnel_suite.funnel_sales import setup as sales
from funnel_suite.funnel_warranty import setup as warranty
from funnel_suite.funnels import card_types
from funnel_suite.funnels import setup as funnels

ROLES = (*funnels.ROLES, *sales.ROLES, *qualification.ROLES)
# Every funnel field on the card forms (the card fields, deferred demand's, qualification's).
CARD_FIELDNAMES = (*funnels.CARD_FIELDNAMES, *sales.OPPORTUNITY_FIELDNAMES, *qualification.LEAD_FIELDNAMES)
# Names tests and patches import from here (funnel_suite.install.<name>).
OPPORTUNITY_FIELDS = sales.OPPORTUNITY_FIELDS
card_fields = funnels.card_fields
create_default_funnels = funnels.create_default_funnels


def create_roles() -> None:
	funnels.create_roles()
	sales.create_roles()
	qualification.create_roles()


def create_card_fields() -> None:
	"""The funnel fields on the card forms and ToDo, then the modules' own fields on Opportunity,
	Opportunity Lost Reason and Lead (placed after the card fields)."""
	funnels.create_card_fields()
	sales.create_sales_fields()
	qualification.create_qualification_fields()


def create_host_fields() -> None:
	create_card_fields()
	cadences.create_cadence_fields()
	analytics.create_journey_fields()


def create_default_records() -> None:
	sales.create_lost_categories()
	qualification.create_disqualification_reasons()


def before_install():
	create_roles()


def after_install():
	create_roles()
	create_host_fields()
	card_types.add_default_card_doctypes()
	create_default_records()
	qualification.build_contact_keys()
	funnels.create_default_funnels()
	from funnel_suite.patches.v0_1.place_existing_cards import place_existing_cards

	place_existing_cards()
	analytics.rebuild_summary()  # a reinstall on a site that kept its move log
	procurement.create_procurement_setup()
	warranty.create_warranty_setup()
	production.create_production_setup()


def after_migrate():
	from funnel_suite.patches.v0_1.set_funnel_settings_defaults import execute as fill_settings_defaults

	fill_settings_defaults()
	from funnel_suite.funnels.definitions import clear_card_doctypes_cache

	clear_card_doctypes_cache()  # it may hold what was read before the table existed
	create_roles()
	create_host_fields()
	create_default_records()
	funnels.sync_boards()
	analytics.rebuild_summary()
	procurement.create_procurement_setup()
	warranty.create_warranty_setup()
	production.create_production_setup()


def before_uninstall():
	"""Remove the app's fields from the host forms; every Lead and Opportunity row stays."""
	warranty.remove_warranty_fields()
	cadences.remove_cadence_fields()
	analytics.remove_journey_fields()
	procurement.remove_procurement_fields()
	production.remove_production_fields()
	qualification.remove_qualification_fields()
	sales.remove_sales_fields()
	funnels.remove_card_fields()


def before_tests():
	"""Complete ERPNext's setup wizard so test records have a company (ERPNext's own helper)."""
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	frappe.db.commit()  # nosemgrep: test setup runs outside any request
