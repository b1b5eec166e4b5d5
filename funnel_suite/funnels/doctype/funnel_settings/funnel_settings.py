# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import json

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, flt

from funnel_suite.engine import split_list
from funnel_suite.engine.audit import load_vocabulary

MAX_HISTORY_ROWS = 500
# Website inquiries (funnel_suite.api.public_intake): only a System Manager changes these
PUBLIC_INTAKE_FIELDS = (
	"public_intake_enabled",
	"public_intake_user",
	"public_intake_limit",
	"public_intake_window",
)
PUBLIC_INTAKE_MAX_LIMIT = 1000
PUBLIC_INTAKE_MAX_WINDOW = 7 * 24 * 60


class FunnelSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from funnel_suite.funnels.doctype.funnel_card_document_type.funnel_card_document_type import (
			FunnelCardDocumentType,
		)

		alarm_max_rate: DF.Percent
		alarm_min_leads: DF.Int
		alarm_window_days: DF.Int
		audit_max_open_stages: DF.Int
		default_phone_region: DF.Data | None
		default_wake_up_days: DF.Int
		deferred_demand_funnel: DF.Link | None
		audit_vocabulary: DF.Code | None
		card_document_types: DF.Table[FunnelCardDocumentType]
		history_rows: DF.Int
		public_intake_enabled: DF.Check
		public_intake_limit: DF.Int
		public_intake_user: DF.Link | None
		public_intake_window: DF.Int
		reanimation_after_days: DF.Int
		reanimation_categories: DF.SmallText | None
		reanimation_enabled: DF.Check
		reanimation_funnel: DF.Link | None
		show_audit_on_save: DF.Check
		show_stage_bar: DF.Check
		stale_escalation_role: DF.Link | None
		wake_up_stage: DF.Data | None
	# end: auto-generated types

	def validate(self):
		if not 1 <= cint(self.history_rows) <= MAX_HISTORY_ROWS:
			frappe.throw(
				_("Move History Rows on Cards must be between 1 and {0}; you entered {1}.").format(
					MAX_HISTORY_ROWS, self.history_rows
				),
				title=_("Invalid Value"),
			)
		if not cint(self.audit_max_open_stages):
			self.audit_max_open_stages = 7
		if cint(self.audit_max_open_stages) < 1:
			frappe.throw(
				_("Most Open Stages Before a Warning must be at least 1; you entered {0}.").format(
					self.audit_max_open_stages
				),
				title=_("Invalid Value"),
			)
		self.validate_audit_vocabulary()
		self.validate_deferred_demand()
		self.validate_public_intake()
		self.validate_card_document_types()

	def validate_card_document_types(self):
		"""Only a System Manager changes the list (the field's permission level keeps it from the
		others in the desk and over REST; this refuses any other path); each new row is checked."""
		from funnel_suite.funnels.card_types import validate_rows
		from funnel_suite.funnels.definitions import settings_card_doctypes

		before = self.get_doc_before_save()
		old = (
			[r.document_type for r in before.get("card_document_types") or []]
			if before is not None
			else list(settings_card_doctypes())
		)
		new = [r.document_type for r in self.card_document_types]
		if new != old and "System Manager" not in frappe.get_roles():
			frappe.throw(
				_("Only a System Manager may change {0}.").format(
					_(self.meta.get_label("card_document_types"))
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		validate_rows(new, old)
		self.flags.card_document_types_before = old

	def on_update(self):
		from funnel_suite.funnels.card_types import apply_change
		from funnel_suite.funnels.definitions import clear_card_doctypes_cache

		before = self.flags.pop("card_document_types_before", None)
		after = [r.document_type for r in self.card_document_types]
		if before is not None and before != after:
			apply_change(before, after)
		else:
			# read again (a listed doctype may have been deleted since: the host's delete of a
			# DocType runs no document events, so only this save and a migration notice it)
			clear_card_doctypes_cache()

	def validate_public_intake(self):
		before = self.get_doc_before_save()
		changed = [
			f
			for f in PUBLIC_INTAKE_FIELDS
			if before is not None and (before.get(f) or None) != (self.get(f) or None)
		]
		if changed and "System Manager" not in frappe.get_roles():
			frappe.throw(
				_("Only a System Manager may change {0}.").format(
					", ".join(_(self.meta.get_label(f)) for f in changed)
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)
		if not cint(self.public_intake_limit):
			self.public_intake_limit = 5
		if not cint(self.public_intake_window):
			self.public_intake_window = 60
		for field, top in (
			("public_intake_limit", PUBLIC_INTAKE_MAX_LIMIT),
			("public_intake_window", PUBLIC_INTAKE_MAX_WINDOW),
		):
			if not 1 <= cint(self.get(field)) <= top:
				frappe.throw(
					_("{0} must be between 1 and {1}; you entered {2}.").format(
						_(self.meta.get_label(field)), top, self.get(field)
					),
					title=_("Invalid Value"),
				)
		if cint(self.public_intake_enabled) and (before is None or changed):
			from funnel_suite.funnel_qualification.intake_user import intake_user_problem

			problem = intake_user_problem(self.public_intake_user)
			if problem:
				frappe.throw(problem, title=_("Invalid Value"))

	def validate_deferred_demand(self):
		for field in ("deferred_demand_funnel", "reanimation_funnel"):
			funnel = self.get(field)
			if funnel and frappe.db.get_value("Funnel", funnel, "document_type") != "Opportunity":
				frappe.throw(
					_("{0}: {1} is not a funnel of Opportunities.").format(
						_(self.meta.get_label(field)), frappe.bold(funnel)
					),
					title=_("Invalid Funnel"),
				)
		if self.wake_up_stage:
			if not self.deferred_demand_funnel:
				frappe.throw(
					_("Choose the Deferred Demand Funnel before its Wake-up Stage."), title=_("Invalid Value")
				)
			stages = [
				r.stage_name
				for r in frappe.get_doc("Funnel", self.deferred_demand_funnel).stages
				if r.stage_type == "Open"
			]
			if self.wake_up_stage not in stages:
				frappe.throw(
					_("Wake-up Stage must be an open stage of {0}: {1}.").format(
						frappe.bold(self.deferred_demand_funnel), ", ".join(stages)
					),
					title=_("Invalid Value"),
				)
		if cint(self.default_wake_up_days) < 1:
			self.default_wake_up_days = 30
		if cint(self.reanimation_after_days) < 1:
			self.reanimation_after_days = 90
		if self.default_phone_region:
			import phonenumbers

			self.default_phone_region = self.default_phone_region.strip().upper()
			if self.default_phone_region not in phonenumbers.SUPPORTED_REGIONS:
				frappe.throw(
					_(
						"Default Phone Region must be a two-letter country code such as UA, RU or US; {0} is not one."
					).format(frappe.bold(self.default_phone_region)),
					title=_("Invalid Value"),
				)
		if cint(self.alarm_min_leads) < 1:
			self.alarm_min_leads = 20
		if cint(self.alarm_window_days) < 1:
			self.alarm_window_days = 30
		if not 0 <= flt(self.alarm_max_rate) <= 100:
			frappe.throw(
				_("Alarm Below (Qualification Rate) must be between 0 and 100; you entered {0}.").format(
					self.alarm_max_rate
				),
				title=_("Invalid Value"),
			)
		for category in split_list(self.reanimation_categories):
			if not frappe.db.exists("Lost Reason Category", category):
				frappe.throw(
					_("{0} is not a Lost Reason Category.").format(frappe.bold(category)),
					title=_("Invalid Value"),
				)

	def validate_audit_vocabulary(self):
		if not (self.audit_vocabulary or "").strip():
			return
		try:
			load_vocabulary(extra=json.loads(self.audit_vocabulary))
		except ValueError as err:  # json.JSONDecodeError is a ValueError too
			frappe.throw(
				_(
					"Additional Audit Vocabulary is not valid: {0}. Write a JSON object such as {1}; categories: activity, vague, foreign_entity, invoice_state, meeting_scheduled."
				).format(frappe.bold(str(err)), '<code>{"activity": {"en": ["demo call"]}}</code>'),
				title=_("Invalid Vocabulary"),
			)


def get_settings() -> "FunnelSettings":
	return frappe.get_cached_doc("Funnel Settings")
