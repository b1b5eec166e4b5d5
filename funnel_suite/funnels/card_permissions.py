"""Read access for records that belong to a card (the move log, cadence enrollments): a user sees
them exactly when they may read the card (role permissions, user permissions, shares, owner
rules — the host's own list query decides)."""

from __future__ import annotations

import frappe


def readable_cards_condition(doctype: str, user: str | None = None) -> str:
	"""permission_query_conditions for `doctype`, whose rows point at a card through
	reference_doctype / reference_name."""
	from funnel_suite.funnels.card import card_doctypes

	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	table = f"`tab{doctype}`"
	clauses = []
	for card_doctype in card_doctypes():
		if not frappe.has_permission(card_doctype, "read", user=user):
			continue
		readable = frappe.get_list(card_doctype, fields=["name"], user=user, run=0, order_by="")
		clauses.append(
			f"({table}.`reference_doctype` = {frappe.db.escape(card_doctype)}"
			f" and {table}.`reference_name` in ({readable}))"
		)
	return "(" + " or ".join(clauses) + ")" if clauses else "1=0"


def card_readable(doc, ptype=None, user=None) -> bool:
	"""has_permission for such a row: read-type access only, and only with read on its card."""
	if ptype not in (None, "read", "select", "report", "export", "print"):
		return False
	return bool(frappe.has_permission(doc.reference_doctype, "read", doc.reference_name, user=user))
