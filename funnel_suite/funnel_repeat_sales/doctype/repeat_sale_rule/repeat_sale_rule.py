# Copyright (c) 2026, funnel_suite developers and contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from funnel_suite.engine.repeat import MODES, UNITS

TRIGGERS = ("Sales Invoice", "Delivery Note")


class RepeatSaleRule(Document):
	def validate(self):
		label = self.meta.get_label
		if self.trigger_doctype not in TRIGGERS:
			frappe.throw(
				_("{0} must be one of: {1}.").format(
					_(label("trigger_doctype")), ", ".join(_(t) for t in TRIGGERS)
				),
				title=_("Invalid Rule"),
			)
		if self.mode not in MODES:
			frappe.throw(
				_("{0} must be one of: {1}.").format(_(label("mode")), ", ".join(_(m) for m in MODES)),
				title=_("Invalid Rule"),
			)
		if self.interval_unit not in UNITS:
			frappe.throw(
				_("{0} must be one of: {1}.").format(
					_(label("interval_unit")), ", ".join(_(u) for u in UNITS)
				),
				title=_("Invalid Rule"),
			)
		if cint(self.interval) <= 0:
			frappe.throw(
				_("{0} must be a whole number greater than zero.").format(_(label("interval"))),
				title=_("Invalid Rule"),
			)
		if not (cint(self.create_event) or cint(self.create_todo) or cint(self.create_opportunity)):
			frappe.throw(
				_("Choose at least one action: {0}, {1} or {2}.").format(
					_(label("create_event")), _(label("create_todo")), _(label("create_opportunity"))
				),
				title=_("Invalid Rule"),
			)
		if not cint(self.create_todo):
			self.assign_to_role = None
		if cint(self.digest) and not (cint(self.create_event) or cint(self.create_todo)):
			frappe.throw(
				_(
					"{0} needs {1} or {2}: the digest is one Event and one ToDo per account owner per day."
				).format(_(label("digest")), _(label("create_event")), _(label("create_todo"))),
				title=_("Invalid Rule"),
			)
		if cint(self.create_opportunity):
			if not self.opportunity_funnel:
				frappe.throw(
					_("{0} is required when {1} is checked.").format(
						_(label("opportunity_funnel")), _(label("create_opportunity"))
					),
					title=_("Invalid Rule"),
				)
			self._check_funnel(self.opportunity_funnel, "opportunity_funnel")
		if self.mode != "Cyclic" and (self.move_deal_to_funnel or self.move_deal_to_stage):
			frappe.throw(
				_("{0} is only for Cyclic rules: the first shipment starts the cycle.").format(
					_(label("move_deal_to_funnel"))
				),
				title=_("Invalid Rule"),
			)
		if self.move_deal_to_stage and not self.move_deal_to_funnel:
			frappe.throw(
				_("{0} needs {1}.").format(_(label("move_deal_to_stage")), _(label("move_deal_to_funnel"))),
				title=_("Invalid Rule"),
			)
		if self.move_deal_to_funnel:
			funnel = self._check_funnel(self.move_deal_to_funnel, "move_deal_to_funnel")
			if self.move_deal_to_stage and not funnel.stage(self.move_deal_to_stage):
				frappe.throw(
					_("{0}: funnel {1} has no stage {2}. Its stages: {3}.").format(
						_(label("move_deal_to_stage")),
						frappe.bold(funnel.name),
						frappe.bold(self.move_deal_to_stage),
						", ".join(s.name for s in funnel.stages),
					),
					title=_("Invalid Rule"),
				)
			if self.move_deal_to_stage:
				target = funnel.stage(self.move_deal_to_stage)
				self.move_deal_to_stage = target.name
				self._check_may_enter(funnel, target)

	def _check_may_enter(self, funnel, stage) -> None:
		"""The rule later moves deals as the app; whoever writes it must be someone who may move a
		deal into that stage themselves (its allowed roles), or a Funnel Manager / System Manager."""
		if not stage.allowed_roles or (
			not self.has_value_changed("move_deal_to_stage") and not self.is_new()
		):
			return
		roles = set(frappe.get_roles())
		if roles & ({"Funnel Manager", "System Manager"} | set(stage.allowed_roles)):
			return
		frappe.throw(
			_(
				"{0}: stage {1} of funnel {2} is limited to {3}; only they or a Funnel Manager may send deals there."
			).format(
				_(self.meta.get_label("move_deal_to_stage")),
				frappe.bold(stage.name),
				frappe.bold(funnel.name),
				", ".join(_(r) for r in stage.allowed_roles),
			),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)

	def _check_funnel(self, name: str, fieldname: str):
		from funnel_suite.funnels.card import load_funnel

		funnel = load_funnel(name)
		if funnel.document_type != "Opportunity" or not funnel.enabled:
			frappe.throw(
				_("{0}: {1} is not an enabled funnel of Opportunities.").format(
					_(self.meta.get_label(fieldname)), frappe.bold(name)
				),
				title=_("Invalid Rule"),
			)
		return funnel

	def on_update(self):
		from funnel_suite.funnel_repeat_sales.planner import clear_rules_cache

		clear_rules_cache()

	def on_trash(self):
		if frappe.db.exists("Planned Contact", {"rule": self.name}):
			frappe.throw(
				_(
					"Repeat Sale Rule {0} has planned contacts in its history; disable it instead of deleting it."
				).format(frappe.bold(self.name)),
				frappe.LinkExistsError,
				title=_("Rule Has History"),
			)

	def after_delete(self):
		from funnel_suite.funnel_repeat_sales.planner import clear_rules_cache

		clear_rules_cache()
