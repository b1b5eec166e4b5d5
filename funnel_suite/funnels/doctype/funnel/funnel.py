# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, escape_html

from funnel_suite import engine
from funnel_suite.funnels import board, handoffs
from funnel_suite.funnels.audit import audit_doc, bold, show_findings
from funnel_suite.funnels.card import card_doctypes, clear_default_cache, to_engine

DEFAULT_INDICATOR = {"Open": "Blue", "Won": "Green", "Lost": "Red"}


class Funnel(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from funnel_suite.funnels.doctype.funnel_handoff.funnel_handoff import FunnelHandoff
		from funnel_suite.funnels.doctype.funnel_stage.funnel_stage import FunnelStage

		description: DF.SmallText | None
		document_type: DF.Link
		enabled: DF.Check
		handoffs: DF.Table[FunnelHandoff]
		funnel_name: DF.Data
		is_default: DF.Check
		kanban_board: DF.Link | None
		preset: DF.Data | None
		purpose: DF.Literal[
			"Lead Qualification",
			"Sales",
			"Pre-sale",
			"Upsell",
			"Repeat Sale",
			"Deferred Demand",
			"Reanimation",
			"Refusal Review",
			"Procurement",
			"Production",
			"Construction",
			"Warranty",
			"Service",
		]
		stage_preview: DF.HTMLEditor | None
		stages: DF.Table[FunnelStage]
	# end: auto-generated types

	def validate(self):
		self.validate_document_type()
		self.clean_stages()
		self.validate_definition()
		self.validate_required_fields()
		self.validate_allowed_roles()
		self.validate_stage_checks()
		self.validate_removed_stages()
		self.set_default_flag()
		handoffs.validate_funnel_handoffs(self)

	def on_update(self):
		if self.flags.get("funnel_detached"):
			# no card fields, no board: the definition is saved, the rest waits for the doctype
			# to be added back (card_types.set_up syncs its boards and stage options then)
			clear_default_cache()
			handoffs.clear_cache()
			return
		self.rename_card_stages()
		for method in frappe.get_hooks("funnel_on_definition_change"):
			frappe.get_attr(method)(self, self.get_doc_before_save())
		self.unset_other_defaults()
		clear_default_cache()
		handoffs.clear_cache()
		board.sync_stage_options(self.document_type)
		board.sync_kanban_board(self)
		if cint(frappe.db.get_single_value("Funnel Settings", "show_audit_on_save")):
			show_findings(self)

	def on_trash(self):
		self.ensure_never_used()

	def after_delete(self):
		clear_default_cache()
		handoffs.clear_cache()
		board.sync_stage_options(self.document_type)
		board.remove_kanban_board(self)

	# --- validation -------------------------------------------------------------------------

	def validate_document_type(self):
		allowed = card_doctypes()
		self.flags.funnel_detached = False
		if self.document_type not in allowed and self.keeps_removed_card_type():
			# Its doctype was taken out of Funnel Settings (the funnel fields and boards went, the
			# funnel and its move log stayed): an admin may still disable, describe or delete it.
			self.flags.funnel_detached = True
			frappe.msgprint(
				_(
					"{0} is no longer a card document type (Funnel Settings), so funnel {1} holds no cards. Add {0} back to Card Document Types to use it again."
				).format(_(self.document_type), bold(self.name)),
				indicator="orange",
				alert=True,
			)
			return
		if self.document_type not in allowed:
			frappe.throw(
				_("Document Type {0} cannot be placed in a funnel. Allowed: {1}.").format(
					frappe.bold(self.document_type), ", ".join(_(d) for d in allowed)
				),
				title=_("Invalid Document Type"),
			)

	def keeps_removed_card_type(self) -> bool:
		"""A saved funnel whose Document Type stays as it was."""
		before = None if self.is_new() else self.get_doc_before_save()
		return before is not None and before.document_type == self.document_type

	def has_card_fields(self) -> bool:
		return not self.flags.get("funnel_detached") and bool(
			frappe.get_meta(self.document_type).get_field("funnel")
		)

	def clean_stages(self):
		for row in self.stages:
			row.stage_name = " ".join((row.stage_name or "").split())
			row.indicator = row.indicator or DEFAULT_INDICATOR.get(row.stage_type, "Gray")
			for field in ("required_fields", "allowed_roles", "allowed_next", "checks"):
				row.set(field, "\n".join(engine.split_list(row.get(field))))

	def validate_definition(self):
		problems = engine.validate_definition(to_engine(self))
		if problems:
			frappe.throw(
				[_problem_message(p) for p in problems],
				title=_("Funnel {0} cannot be saved").format(self.funnel_name or ""),
				as_list=True,
			)

	def validate_required_fields(self):
		meta = frappe.get_meta(self.document_type)
		for row in self.stages:
			for fieldname in engine.split_list(row.required_fields):
				if not meta.has_field(fieldname):
					frappe.throw(
						_(
							"Row {0}: Required Fields of stage {1} names {2}, which is not a field of {3}. Use field names such as {4}."
						).format(
							row.idx,
							frappe.bold(row.stage_name),
							frappe.bold(fieldname),
							_(self.document_type),
							", ".join(_field_examples(meta)),
						),
						title=_("Unknown Field"),
					)

	def validate_allowed_roles(self):
		for row in self.stages:
			for role in engine.split_list(row.allowed_roles):
				if not frappe.db.exists("Role", role):
					frappe.throw(
						_("Row {0}: Allowed Roles of stage {1} names {2}, which is not a role.").format(
							row.idx, frappe.bold(row.stage_name), frappe.bold(role)
						),
						title=_("Unknown Role"),
					)

	def validate_stage_checks(self):
		from funnel_suite.funnels.checks import registered_checks

		known = registered_checks(self.document_type)
		for row in self.stages:
			for name in engine.split_list(row.get("checks")):
				if name not in known:
					frappe.throw(
						_(
							"Row {0}: Stage Checks of stage {1} names {2}, which is not a check for {3}. Available checks: {4}."
						).format(
							row.idx,
							frappe.bold(row.stage_name),
							bold(name),
							_(self.document_type),
							", ".join(sorted(known)) or _("none"),
						),
						title=_("Unknown Check"),
					)

	def validate_removed_stages(self):
		"""A stage that still holds cards cannot be removed (rename it instead)."""
		before = self.get_doc_before_save()
		if not before or not self.has_card_fields():
			return
		kept = {row.name for row in self.stages}
		for old in before.stages:
			if old.name in kept:
				continue
			count = frappe.db.count(self.document_type, {"funnel": self.name, "funnel_stage": old.stage_name})
			if count:
				frappe.throw(
					_(
						"Stage {0} holds {1} card(s) and cannot be removed. Move them to another stage first, or rename the stage."
					).format(frappe.bold(old.stage_name), count),
					title=_("Stage In Use"),
				)

	def set_default_flag(self):
		if self.is_default and not self.enabled:
			frappe.throw(
				_("A disabled funnel cannot be the default for {0}. Enable it or untick Default.").format(
					_(self.document_type)
				),
				title=_("Invalid Default"),
			)
		if not self.is_default and self.enabled:
			others = frappe.db.exists(
				"Funnel",
				{
					"document_type": self.document_type,
					"is_default": 1,
					"enabled": 1,
					"name": ("!=", self.name),
				},
			)
			if not others:
				self.is_default = 1

	# --- after save -------------------------------------------------------------------------

	def rename_card_stages(self):
		"""Cards follow a renamed stage (a rename is not a move, so nothing is logged)."""
		before = self.get_doc_before_save()
		if not before:
			return
		old_names = {row.name: row.stage_name for row in before.stages}
		for row in self.stages:
			old = old_names.get(row.name)
			if old and old != row.stage_name:
				frappe.db.set_value(
					self.document_type,
					{"funnel": self.name, "funnel_stage": old},
					"funnel_stage",
					row.stage_name,
					update_modified=False,
				)

	def unset_other_defaults(self):
		if not self.is_default:
			return
		others = frappe.get_all(
			"Funnel",
			filters={"document_type": self.document_type, "is_default": 1, "name": ("!=", self.name)},
			pluck="name",
		)
		for other in others:
			frappe.db.set_value("Funnel", other, "is_default", 0)
		if others:
			frappe.msgprint(
				_("{0} is now the default funnel for {1} instead of {2}.").format(
					frappe.bold(self.name), _(self.document_type), ", ".join(others)
				),
				alert=True,
			)

	def ensure_never_used(self):
		"""Nothing a user entered is deleted: a funnel with cards or history can only be disabled."""
		# a doctype taken out of Funnel Settings has no funnel field any more: no cards in it
		has_field = frappe.get_meta(self.document_type).get_field("funnel")
		cards = frappe.db.count(self.document_type, {"funnel": self.name}) if has_field else 0
		# moves into it and moves of cards that left it for another funnel
		moves = frappe.db.count("Funnel Transition", {"funnel": self.name}) + frappe.db.count(
			"Funnel Transition", {"from_funnel": self.name}
		)
		if cards or moves:
			frappe.throw(
				_(
					"Funnel {0} has {1} card(s) and {2} logged move(s). Disable it instead of deleting it."
				).format(frappe.bold(self.name), cards, moves),
				title=_("Funnel In Use"),
			)


def _field_examples(meta) -> list[str]:
	return [df.fieldname for df in meta.fields if df.fieldtype not in frappe.model.no_value_fields][:5]


def _problem_message(problem: engine.DefinitionProblem) -> str:
	# typed values, shown as HTML by the form and by frappe.throw: escaped
	stage = bold(problem.stage) if problem.stage else ""
	value = bold(problem.value) if problem.value else ""
	messages = {
		"no_stages": _("Add at least one stage."),
		"empty_name": _("Stage #{0} has no name.").format(escape_html(str(problem.value))),
		"duplicate_name": _(
			"Stage name {0} is used more than once (names are compared ignoring case and spaces)."
		).format(stage),
		"bad_kind": _("Stage {0} has kind {1}; allowed: Open, Won, Lost.").format(stage, value),
		"bad_name_chars": _("Stage name {0} contains < or > or a line break; use other characters.").format(
			stage
		),
		"no_open": _("Add at least one Open stage: new cards start in the first Open stage."),
		"no_won": _("Add at least one Won stage: a funnel needs a final stage for success."),
		"no_lost": _("Add at least one Lost stage: a funnel needs a final stage for refusals."),
		"unknown_next": _("Stage {0} allows a move to {1}, which is not a stage of this funnel.").format(
			stage, value
		),
		"bad_probability": _("Stage {0} has probability {1}; allowed: 0 to 100.").format(stage, value),
		"negative_days": _("Stage {0} has a negative number of days ({1}).").format(stage, value),
	}
	return messages[problem.code]


@frappe.whitelist()
def check_definition(doc: str) -> dict:
	"""What the form shows live while an admin edits a funnel, before saving.

	`problems`: what stops the save; `findings`: the design audit (never blocking). Anyone who may
	read funnels sees it (a Sales Manager opening a funnel gets the same preview); it builds a Funnel
	whatever doctype the posted JSON names and saves nothing.
	"""
	frappe.has_permission("Funnel", "read", throw=True)
	try:
		values = frappe.parse_json(doc)
	except ValueError:  # not JSON at all (json.JSONDecodeError): the same clear refusal
		values = None
	if not isinstance(values, dict):
		frappe.throw(_("The funnel to check must be a JSON object."))
	funnel = frappe.get_doc({**values, "doctype": "Funnel"})
	problems = [_problem_message(p) for p in engine.validate_definition(to_engine(funnel))]
	return {"problems": problems, "findings": audit_doc(funnel)}
