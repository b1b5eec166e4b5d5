# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe.model.document import Document


class ProductionMaterial(Document):
	pass
