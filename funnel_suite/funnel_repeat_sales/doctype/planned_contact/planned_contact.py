# Copyright (c) 2026, funnel_suite developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class PlannedContact(Document):
	"""One contact a repeat-sale rule planned for a customer: written by the app only."""

	def validate(self):
		if not self.flags.ignore_permissions:
			frappe.throw(
				_(
					"Planned Contacts are written by the repeat-sale rules; they cannot be created or edited by hand."
				),
				frappe.PermissionError,
				title=_("Not Allowed"),
			)


def on_doctype_update():
	frappe.db.add_index("Planned Contact", ["status", "due_date"])
	frappe.db.add_index("Planned Contact", ["rule", "customer", "mode"])
	frappe.db.add_index("Planned Contact", ["superseded_by"])
