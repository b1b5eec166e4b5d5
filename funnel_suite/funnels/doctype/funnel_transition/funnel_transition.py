# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""The move log. Rows are written only by the engine (`funnel_suite.funnels.card.log_card_move`);
nobody edits or deletes them, not even a System Manager through the UI."""

import frappe
from frappe import _
from frappe.model.document import Document

from funnel_suite.funnels.card_permissions import card_readable, readable_cards_condition


class FunnelTransitionImmutableError(frappe.PermissionError):
	pass


class FunnelTransition(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		comment: DF.SmallText | None
		from_funnel: DF.Link | None
		from_stage: DF.Data | None
		funnel: DF.Link
		moved_by: DF.Link
		moved_on: DF.Datetime
		name: DF.Int | None
		reference_doctype: DF.Link
		reference_name: DF.DynamicLink
		seconds_in_from_stage: DF.Int
		to_stage: DF.Data
	# end: auto-generated types

	def before_insert(self):
		if not self.flags.from_funnel_engine:
			_refuse()

	def validate(self):
		if not self.is_new():
			_refuse()

	def on_trash(self):
		_refuse()


def _refuse():
	frappe.throw(
		_(
			"The funnel move log is written by the app when a card moves; it cannot be created, edited or deleted by hand."
		),
		exc=FunnelTransitionImmutableError,
		title=_("Read Only"),
	)


def on_doctype_update():
	frappe.db.add_index("Funnel Transition", ["reference_doctype", "reference_name", "moved_on"])
	frappe.db.add_index("Funnel Transition", ["funnel", "moved_on"])
	# Stage Velocity reads the moves that left a funnel for another one
	frappe.db.add_index("Funnel Transition", ["from_funnel", "moved_on"])


def get_permission_query_conditions(user: str | None = None) -> str:
	"""A user sees the moves of the cards they may read (user permissions, shares, owner rules)."""
	return readable_cards_condition("Funnel Transition", user)


def has_permission(doc, ptype=None, user=None) -> bool:
	return card_readable(doc, ptype, user)
