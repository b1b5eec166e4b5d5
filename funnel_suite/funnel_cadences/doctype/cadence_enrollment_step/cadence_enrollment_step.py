# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe
from frappe.model.document import Document


class CadenceEnrollmentStep(Document):
	pass


def on_doctype_update():
	# the sender's scan: Queued steps whose time has come
	frappe.db.add_index("Cadence Enrollment Step", ["status", "due_on"])
