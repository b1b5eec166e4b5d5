# Copyright (c) 2026, funnel_suite developers and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class PlannedContact(Document):
	"""One contact a repeat-sale rule planned for a customer: written by the app only (the table is
	app-owned: saved only inside funnel_suite.funnels.owned.app_writes())."""


def on_doctype_update():
	frappe.db.add_index("Planned Contact", ["status", "due_date"])
	frappe.db.add_index("Planned Contact", ["rule", "customer", "mode"])
	frappe.db.add_index("Planned Contact", ["superseded_by"])
