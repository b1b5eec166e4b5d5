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
		self.validate_ready_stage()

	def validate_ready_stage(self):
		"""The stage a completed Work Order moves an order to is an Open stage of a production funnel."""
		self.work_order_ready_stage = (self.work_order_ready_stage or "").strip()
		if not self.work_order_ready_stage:
			return
		from funnel_suite.funnels.audit import bold
		from funnel_suite.funnels.definitions import load_funnel

		names = []
		for funnel in frappe.get_all("Funnel", {"document_type": "Production Order"}, pluck="name"):
			definition = load_funnel(funnel)
			names += [s.name for s in definition.stages if s.is_open and s.name not in names]
			found = definition.stage(self.work_order_ready_stage)
			if found is not None and found.is_open:
				return
		frappe.throw(
			_(
				"Stage when the Work Order is completed: {0} is not an open stage of a Production Order funnel. Allowed stages: {1}."
			).format(bold(self.work_order_ready_stage), ", ".join(bold(_(n)) for n in names) or "-"),
			title=_("Unknown Stage"),
		)
