# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""A card's run through a cadence. Written only by the app (enrollment on stage entry, the
sender, the stop rules); users read it when they may read the card."""

import frappe
from frappe import _
from frappe.model.document import Document


class CadenceEnrollment(Document):
	def validate(self):
		if not self.flags.from_cadence_engine:
			frappe.throw(
				_(
					"Cadence enrollments are written by the app when a card enters or leaves a stage; they cannot be created or edited by hand."
				),
				exc=frappe.PermissionError,
				title=_("Read Only"),
			)


def on_doctype_update():
	frappe.db.add_index("Cadence Enrollment", ["reference_doctype", "reference_name", "status"])
	frappe.db.add_index("Cadence Enrollment", ["status", "cadence"])


def get_permission_query_conditions(user: str | None = None) -> str:
	"""A user sees the enrollments of the cards they may read."""
	from funnel_suite.funnels.card import card_doctypes

	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	clauses = []
	for doctype in card_doctypes():
		if not frappe.has_permission(doctype, "read", user=user):
			continue
		readable = frappe.get_list(doctype, fields=["name"], user=user, run=0, order_by="")
		clauses.append(
			f"(`tabCadence Enrollment`.`reference_doctype` = {frappe.db.escape(doctype)}"
			f" and `tabCadence Enrollment`.`reference_name` in ({readable}))"
		)
	return "(" + " or ".join(clauses) + ")" if clauses else "1=0"


def has_permission(doc, ptype=None, user=None) -> bool:
	if ptype not in (None, "read", "select", "report", "export", "print"):
		return False
	return bool(frappe.has_permission(doc.reference_doctype, "read", doc.reference_name, user=user))
