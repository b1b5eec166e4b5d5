"""Cards: documents placed in a funnel (Lead, Opportunity, …).

Every way a card's stage can change — the form, a Kanban drag, REST, Data Import and
`funnel_suite.api.move_card` — ends in `Document.save()`, so the one rule lives in the
`validate` hook below and the log row is written by `on_update`, inside the same
transaction. Frappe's `check_if_latest` reads the row `FOR UPDATE` before either runs,
so of two people moving the same card at once exactly one wins and logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import frappe
from frappe import _
from frappe.utils import cint, flt, now_datetime

from funnel_suite import engine
from funnel_suite.engine import CardState, FunnelError
from funnel_suite.funnels import handoffs
from funnel_suite.funnels.checks import runner_for
from funnel_suite.funnels.definitions import (  # public paths funnel_suite.funnels.card.<name>
	DEFAULT_CACHE_KEY,
	card_doctypes,
	clear_cache_key,
	clear_default_cache,
	default_funnel,
	is_card_doctype,
	load_funnel,
	settings_only_doctypes,
	to_engine,
)
from funnel_suite.funnels.dimensions import card_dimensions
from funnel_suite.funnels.log import LOGGED_DIMENSIONS, insert_transitions
from funnel_suite.funnels.tasks import sync_smart_tasks


class StageMoveError(frappe.ValidationError):
	"""A move the funnel's rules refuse (unknown stage, not allowed from here, funnel disabled)."""


class StageFieldsMissingError(frappe.ValidationError):
	"""The stage requires fields that are empty."""


class StageChecksFailedError(frappe.ValidationError):
	"""The stage's named checks failed (funnel_suite.funnels.checks)."""


class StageRoleError(frappe.PermissionError):
	"""The user's roles may not move cards into the stage."""


def boot_session(bootinfo):
	bootinfo.funnel_document_types = card_doctypes()
	# the ones added in Funnel Settings: public/js/funnel_card_types.js attaches the card scripts
	bootinfo.funnel_settings_document_types = settings_only_doctypes()
	# the default funnel of each card doctype (reports start on it)
	bootinfo.funnel_defaults = {}
	for doctype in bootinfo.funnel_document_types:
		name = default_funnel(doctype)
		if name and not frappe.db.exists("Funnel", name):
			# a cached default that is gone (rolled back, deleted): look it up again
			clear_default_cache()
			name = default_funnel(doctype)
		bootinfo.funnel_defaults[doctype] = name


NUMERIC_FIELDTYPES = frozenset(("Check", "Currency", "Float", "Int", "Percent", "Rating"))


class DocValues(Mapping):
	"""A document's values as the engine reads them.

	A stage that requires a number or a checkbox requires it to be set: an unticked
	checkbox or an amount of 0 counts as empty ("fill in the amount" means a real amount).
	"""

	def __init__(self, doc):
		self.doc = doc
		self.meta = frappe.get_meta(doc.doctype)

	def __getitem__(self, key: str) -> Any:
		value = self.doc.get(key)
		df = self.meta.get_field(key)
		if df and df.fieldtype in NUMERIC_FIELDTYPES and not flt(value):
			return None
		return value

	def __iter__(self) -> Iterator[str]:
		return iter(self.doc.as_dict())

	def __len__(self) -> int:
		return len(self.doc.as_dict())


def validate_card(doc, method=None):
	"""doc_events validate: plan the card's move (if any) and remember the log row to write, then
	keep the card's own status machine in step (hook `funnel_status_sync`)."""
	_validate_move(doc)
	keep_status_in_step(doc, method)


def keep_status_in_step(doc, method=None) -> None:
	"""The functions the hook `funnel_status_sync` names for the card's doctype, with the move
	planned (`doc.flags.funnel_log_rows`) and before the save: e.g. an Opportunity entering a Lost
	stage becomes Lost in ERPNext's own status (funnel_sales/lost.py)."""
	for path in frappe.get_hooks("funnel_status_sync", {}).get(doc.doctype) or ():
		frappe.get_attr(path)(doc, method)


def _validate_move(doc) -> None:
	before = doc.get_doc_before_save()
	try:
		move = _plan(doc, before)
	except FunnelError as err:
		raise_funnel_error(err, doc.doctype)
	if move is None:
		return
	if move.is_noop:
		doc.funnel_stage = move.to_stage  # the stage's own spelling
		return
	state = (
		CardState(before.funnel, before.funnel_stage, before.funnel_stage_since) if before else CardState()
	)
	if state.since is not None:
		state = CardState(state.funnel, state.stage, frappe.utils.get_datetime(state.since))
	now = now_datetime()
	new_state, row = engine.apply_move(state, move, now)
	new_state, handoff_rows, creates = _follow_move_handoffs(doc, new_state, now)
	doc.funnel, doc.funnel_stage, doc.funnel_stage_since = new_state.funnel, new_state.stage, new_state.since
	if doc.meta.has_field("funnel_stale"):
		doc.funnel_stale = ""
	doc.flags.funnel_log_rows = [row, *handoff_rows]
	doc.flags.funnel_handoff_creates = creates
	set_stage_probability(doc)


def set_stage_probability(doc) -> None:
	"""Cards with a `probability` field (Opportunity) take the probability of the stage they enter.

	Won and Lost stages always set it (100 / whatever the admin chose, usually 0); an Open
	stage sets it only when the admin gave it one, so a hand-entered figure is not wiped by 0.
	"""
	if not doc.meta.has_field("probability"):
		return
	stage = load_funnel(doc.funnel).stage(doc.funnel_stage)
	if stage and (stage.is_final or stage.probability):
		doc.probability = stage.probability


def _plan(doc, before) -> engine.Move | None:
	old_funnel = before.get("funnel") if before else None
	old_stage = before.get("funnel_stage") if before else None

	if not doc.get("funnel"):
		if old_funnel:
			frappe.throw(
				_("{0} {1} cannot leave its funnel. Move it to another funnel or to a Lost stage.").format(
					_(doc.doctype), doc.name
				),
				exc=StageMoveError,
				title=_("Funnel Required"),
			)
		doc.funnel = default_funnel(doc.doctype)
		if not doc.funnel:
			return None  # no funnel configured for this document type: nothing to enforce
		return _plan_entry(doc, requested=doc.get("funnel_stage"))

	if doc.funnel != old_funnel:
		funnel = _load_for(doc)
		if not old_funnel:
			return _plan_entry(doc, requested=doc.get("funnel_stage"), funnel=funnel)
		requested = doc.get("funnel_stage") if doc.get("funnel_stage") != old_stage else None
		return engine.plan_funnel_change(
			old_funnel,
			old_stage,
			funnel,
			requested,
			frappe.get_roles(),
			DocValues(doc),
			checks=runner_for(doc),
		)

	if doc.get("funnel_stage") != old_stage:
		return engine.plan_move(
			_load_for(doc),
			old_stage,
			doc.get("funnel_stage") or "",
			frappe.get_roles(),
			DocValues(doc),
			checks=runner_for(doc),
			comment=doc.flags.get("funnel_move_comment"),
		)
	return None


def _plan_entry(doc, requested: str | None, funnel: engine.Funnel | None = None) -> engine.Move:
	funnel = funnel or _load_for(doc)
	return engine.plan_entry(
		funnel, requested or None, frappe.get_roles(), DocValues(doc), checks=runner_for(doc)
	)


def _load_for(doc) -> engine.Funnel:
	funnel = load_funnel(doc.funnel)
	if funnel.document_type != doc.doctype:
		frappe.throw(
			_("Funnel {0} holds {1} cards; it cannot hold a {2}.").format(
				frappe.bold(funnel.name), _(funnel.document_type), _(doc.doctype)
			),
			exc=StageMoveError,
			title=_("Wrong Funnel"),
		)
	return funnel


def _stage_list(names) -> str:
	return ", ".join(frappe.bold(_(n)) for n in names) or _("none")


def describe_funnel_error(err: FunnelError, doctype: str) -> tuple[str, type, str]:
	"""(message, exception class, title) of an engine refusal, worded for the user (translated)."""
	if isinstance(err, engine.UnknownStage):
		if not err.stage:
			message = _("A card of funnel {0} needs a stage. Allowed stages: {1}.").format(
				frappe.bold(err.funnel), _stage_list(err.allowed)
			)
		else:
			message = _("{0} is not a stage of funnel {1}. Allowed stages: {2}.").format(
				frappe.bold(err.stage), frappe.bold(err.funnel), _stage_list(err.allowed)
			)
		return message, StageMoveError, _("Unknown Stage")
	if isinstance(err, engine.MoveNotAllowed):
		return (
			_("A card in stage {0} cannot move to {1}. Allowed next stages: {2}.").format(
				frappe.bold(_(err.from_stage)), frappe.bold(_(err.to_stage)), _stage_list(err.allowed)
			),
			StageMoveError,
			_("Move Not Allowed"),
		)
	if isinstance(err, engine.MissingFields):
		meta = frappe.get_meta(doctype)
		labels = ", ".join(frappe.bold(_(meta.get_label(f))) for f in err.fields)
		return (
			_("To enter stage {0}, fill in: {1}.").format(frappe.bold(_(err.stage)), labels),
			StageFieldsMissingError,
			_("Missing Fields"),
		)
	if isinstance(err, engine.ChecksFailed):
		meta = frappe.get_meta(doctype)
		reasons = [
			reason or _("check {0} does not pass").format(frappe.bold(name)) for name, reason in err.failures
		]
		if err.missing:
			reasons.append(
				_("fill in: {0}").format(", ".join(frappe.bold(_(meta.get_label(f))) for f in err.missing))
			)
		return (
			_("To enter stage {0}: {1}").format(frappe.bold(_(err.stage)), "; ".join(reasons)),
			StageChecksFailedError,
			_("Stage Checks"),
		)
	if isinstance(err, engine.RoleNotAllowed):
		return (
			_("You may not move cards into stage {0}. Only these roles may: {1}.").format(
				frappe.bold(_(err.stage)), ", ".join(_(r) for r in err.roles)
			),
			StageRoleError,
			_("Not Permitted"),
		)
	if isinstance(err, engine.EntryStageOnly):
		return (
			_(
				"A card moved into funnel {0} starts in its entry stage {1}. Only these roles may put it straight into stage {2}: {3}."
			).format(
				frappe.bold(err.funnel),
				frappe.bold(_(err.entry_stage)),
				frappe.bold(_(err.stage)),
				", ".join(_(r) for r in err.roles),
			),
			StageRoleError,
			_("Not Permitted"),
		)
	if isinstance(err, engine.CommentRequired):
		return (
			_(
				"Funnel {0} needs a comment saying why a card moves back from {1} to {2}. Move it from the stage bar and give the reason."
			).format(frappe.bold(err.funnel), frappe.bold(_(err.from_stage)), frappe.bold(_(err.to_stage))),
			StageMoveError,
			_("Comment Required"),
		)
	if isinstance(err, engine.StrictEntry):
		return (
			_("Funnel {0} keeps a strict sequence: a new card starts in {1}, it cannot start in {2}.").format(
				frappe.bold(err.funnel), frappe.bold(_(err.entry_stage)), frappe.bold(_(err.stage))
			),
			StageMoveError,
			_("Move Not Allowed"),
		)
	if isinstance(err, engine.FunnelDisabled):
		return (
			_(
				"Funnel {0} is disabled, so its cards cannot move. Enable it or move the card to another funnel."
			).format(frappe.bold(err.funnel)),
			StageMoveError,
			_("Funnel Disabled"),
		)
	return str(err), StageMoveError, _("Move Not Allowed")


def raise_funnel_error(err: FunnelError, doctype: str):
	message, exc, title = describe_funnel_error(err, doctype)
	frappe.throw(message, exc=exc, title=title)


def _follow_move_handoffs(doc, state: CardState, now) -> tuple[CardState, list, list]:
	"""Apply the Move hand-offs of every stage the card reaches; collect the Create ones.

	Returns the card's final state, the extra log rows (one per hand-off step) and the Create
	rules to run after the save. Hand-offs act with the app's authority: they may name any stage
	of the target funnel and its role limits do not apply; its required fields do.
	"""
	rows, creates = [], []
	visited = {(state.funnel, engine.normalize_stage_name(state.stage))}
	for _depth in range(handoffs.MAX_DEPTH + 1):
		rules = handoffs.matching(state.funnel, state.stage, DocValues(doc))
		for method in frappe.get_hooks("funnel_handoff_rules"):
			rules.extend(frappe.get_attr(method)(doc, state.funnel, state.stage))
		creates.extend(r for r in rules if r.action == handoffs.ACTION_CREATE)
		rule = next((r for r in rules if r.action == handoffs.ACTION_MOVE), None)
		if rule is None:
			return state, rows, creates
		try:
			target = load_funnel(rule.target_funnel)
			move = engine.plan_funnel_change(
				state.funnel,
				state.stage,
				target,
				rule.target_stage,
				(),
				DocValues(doc),
				as_app=True,
				checks=runner_for(doc),
			)
		except frappe.DoesNotExistError:
			handoffs.fail(rule, _("the target funnel does not exist."))
		except FunnelError as err:
			handoffs.fail(rule, describe_funnel_error(err, doc.doctype)[0])
		state, row = engine.apply_move(state, move, now)
		rows.append(row)
		node = (state.funnel, engine.normalize_stage_name(state.stage))
		if node in visited:
			handoffs.fail(rule, _("the hand-offs lead back to {0}: {1}.").format(state.funnel, state.stage))
		visited.add(node)
	handoffs.fail(rule, _("more than {0} hand-offs in a row.").format(handoffs.MAX_DEPTH))


def log_card_move(doc, method=None):
	"""doc_events on_update: write the moves planned in validate, then the smart task of the stage
	the card ends in, then the linked cards of Create hand-offs (all in the same transaction)."""
	rows = doc.flags.pop("funnel_log_rows", None)
	if not rows:
		return
	comment = doc.flags.pop("funnel_move_comment", None)
	dims = card_dimensions(doc)
	entries = [
		{
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"funnel": row.funnel,
			"from_funnel": row.from_funnel if row.from_funnel != row.funnel else None,
			"from_stage": row.from_stage,
			"to_stage": row.to_stage,
			"moved_by": frappe.session.user,
			"moved_on": row.moved_on,
			"seconds_in_from_stage": row.seconds_in_from_stage,
			"comment": comment if index == 0 else _("Hand-off"),
			**{key: dims[key] for key in LOGGED_DIMENSIONS},
		}
		for index, row in enumerate(rows)
	]
	insert_transitions(entries)
	doc.flags.funnel_logged = frappe._dict(entries[0])
	sync_smart_tasks(doc, doc.funnel, doc.funnel_stage)
	doc.flags.funnel_created_cards = [
		handoffs.create_linked_card(doc, rule) for rule in doc.flags.pop("funnel_handoff_creates", None) or []
	]
	for method in frappe.get_hooks("funnel_on_move"):
		frappe.get_attr(method)(doc, entries)
