# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class ProductionSettings(Document):
	def validate(self):
		if self.stock_entry_purpose == "Material Transfer" and not self.wip_warehouse:
			frappe.throw(
				_("Choose the Work-in-Progress Warehouse the materials are transferred to."),
				title=_("Missing Warehouse"),
			)
