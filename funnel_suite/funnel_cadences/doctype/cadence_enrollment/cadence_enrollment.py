# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""A card's run through a cadence. Written only by the app (enrollment on stage entry, the
sender, the stop rules); users read it when they may read the card."""

import frappe
from frappe.model.document import Document

from funnel_suite.funnels.card_permissions import card_readable, readable_cards_condition


class CadenceEnrollment(Document):
	"""Saved only inside funnel_suite.funnels.owned.app_writes() (the table is app-owned)."""


def on_doctype_update():
	frappe.db.add_index("Cadence Enrollment", ["reference_doctype", "reference_name", "status"])
	frappe.db.add_index("Cadence Enrollment", ["status", "cadence"])


def get_permission_query_conditions(user: str | None = None) -> str:
	"""A user sees the enrollments of the cards they may read."""
	return readable_cards_condition("Cadence Enrollment", user)


def has_permission(doc, ptype=None, user=None) -> bool:
	return card_readable(doc, ptype, user)
