"""Card document types added in the desk: the Card Document Types table of Funnel Settings.

An app makes a doctype a card through its hook `funnel_document_types`; a System Manager can add
any other document type of the site (Issue, Project, Task, Quotation, …) as a row of Funnel
Settings. The set of card doctypes is the union of both (`definitions.card_doctypes`, the rows
cached until the settings change).

Adding a row gives the doctype what a hook-declared card gets: the funnel fields
(`setup.card_fields`), Kanban boards of its funnels, its cards in the analytics' current-stage
table; its stale marks and the stage bar follow from it being in the union. Removing a row removes
the funnel fields and boards; the move log (Funnel Transition rows) and the Funnel records stay.

The host's `doc_events` and `doctype_js` hooks are static, so they cannot name these doctypes:
the handlers every card gets (hook `funnel_card_events`, built in hooks.py from the card rows) run
for them from `"*"` document events (`on_before_validate`, … below), which return after one
membership test of a cached tuple for every other doctype; the form and list scripts load from
`public/js/funnel_card_types.js` (app_include_js) for the doctypes in the boot info.
"""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe import _

from funnel_suite.funnels.definitions import clear_card_doctypes_cache, settings_card_doctypes

# Framework modules whose doctypes are the site's machinery, not business documents.
FRAMEWORK_MODULES = frozenset(("Core", "Custom"))
# ToDo carries the smart tasks' funnel and stage (setup.TODO_FIELDS), not a card's.
RESERVED_DOCTYPES = frozenset(("ToDo",))
APP_NAME = "funnel_suite"


# The Card Document Types rows the app adds at install (and by a patch on existing sites), with no
# funnel until a preset gives them one; the funnel_warranty module builds on Warranty Claim.
DEFAULT_CARD_DOCTYPES = ("Warranty Claim",)


def hook_card_doctypes() -> list[str]:
	return frappe.get_hooks("funnel_document_types")


# --- validation --------------------------------------------------------------------------------


def refusal(doctype: str) -> str | None:
	"""Why `doctype` cannot be a Card Document Type (translated), or None when it can."""
	if not doctype or not frappe.db.exists("DocType", doctype):
		return _("there is no such document type on this site")
	meta = frappe.get_meta(doctype)
	if meta.issingle:
		return _("it is a single document type (one record, like a settings page)")
	if meta.istable:
		return _("it is a child table (its rows live inside another document)")
	if meta.get("is_virtual"):
		return _("it is a virtual document type (its records are not stored in the site's database)")
	if _app_of(meta.module) == APP_NAME:
		return _("it is one of Funnel Suite's own document types")
	if meta.module in FRAMEWORK_MODULES or doctype in RESERVED_DOCTYPES:
		return _("it is part of the framework's own machinery")
	return None


def _app_of(module: str | None) -> str | None:
	if not frappe.local.module_app:
		frappe.setup_module_map()
	return frappe.local.module_app.get(frappe.scrub(module or ""))


def validate_rows(doctypes: list[str], before: Iterable[str]) -> None:
	"""Funnel Settings validate: every new row names an allowed doctype, none twice."""
	before = set(before)
	hook = set(hook_card_doctypes())
	seen: set[str] = set()
	for doctype in doctypes:
		if doctype in seen:
			frappe.throw(
				_("{0} is listed twice in Card Document Types; keep one row.").format(frappe.bold(doctype)),
				title=_("Invalid Card Document Type"),
			)
		seen.add(doctype)
		if doctype in before:
			continue  # a row that was accepted before stays (even if an app declares it since)
		if doctype in hook:
			frappe.throw(
				_(
					"{0} is already a card document type: an installed app declares it. Add only other document types."
				).format(frappe.bold(_(doctype))),
				title=_("Invalid Card Document Type"),
			)
		reason = refusal(doctype)
		if reason:
			frappe.throw(
				_(
					"{0} cannot be a Card Document Type: {1}. Allowed: a document type of this site that is not single, not a child table, not virtual and not one of Funnel Suite's or the framework's own types, such as Issue, Project, Task or Quotation."
				).format(frappe.bold(_(doctype)), reason),
				title=_("Invalid Card Document Type"),
			)


# --- what a row gives its doctype ------------------------------------------------------------


def apply_change(before: Iterable[str], after: Iterable[str]) -> None:
	"""Funnel Settings on_update: set up the added doctypes and take down the removed ones."""
	before, after = list(before), list(after)
	clear_card_doctypes_cache()
	hook = set(hook_card_doctypes())
	for doctype in after:
		if doctype not in before and doctype not in hook:
			set_up(doctype)
	for doctype in before:
		if doctype not in after and doctype not in hook:
			take_down(doctype)


def set_up(doctype: str) -> None:
	"""The funnel fields, the stage options and the Kanban boards of the doctype's funnels (a
	doctype added again gets back the boards of the funnels it kept), its cards in the analytics."""
	from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

	from funnel_suite.funnel_analytics.summary import rebuild_card_state
	from funnel_suite.funnels.board import sync_kanban_board, sync_stage_options
	from funnel_suite.funnels.setup import card_fields

	create_custom_fields({doctype: card_fields(doctype)}, update=True)
	frappe.clear_cache(doctype=doctype)
	sync_stage_options(doctype)
	for name in frappe.get_all("Funnel", filters={"document_type": doctype}, pluck="name"):
		sync_kanban_board(frappe.get_doc("Funnel", name))
		rebuild_card_state(name)


def take_down(doctype: str) -> None:
	"""The funnel fields and boards go; the cards, their move log and the funnels stay."""
	from funnel_suite.funnel_analytics import forecast_totals
	from funnel_suite.funnel_analytics.summary import STATE
	from funnel_suite.funnels.custom_fields import remove_host_fields
	from funnel_suite.funnels.setup import CARD_FIELDNAMES

	for funnel in frappe.get_all(
		"Funnel", filters={"document_type": doctype}, fields=["name", "kanban_board"]
	):
		if funnel.kanban_board and frappe.db.exists("Kanban Board", funnel.kanban_board):
			frappe.delete_doc("Kanban Board", funnel.kanban_board, ignore_permissions=True, force=True)
		frappe.db.set_value("Funnel", funnel.name, "kanban_board", None, update_modified=False)
	frappe.clear_document_cache("Funnel")
	# rebuilt from the cards if added again; the rows leave Funnel Forecast's running totals first
	forecast_totals.take_out("o.reference_doctype = %(totals_doctype)s", {"totals_doctype": doctype})
	frappe.db.delete(STATE, {"reference_doctype": doctype})
	remove_host_fields([doctype], CARD_FIELDNAMES)


def add_default_card_doctypes() -> None:
	"""Install / patch: the app's default rows (DEFAULT_CARD_DOCTYPES)."""
	for doctype in DEFAULT_CARD_DOCTYPES:
		add_by_app(doctype)


def add_by_app(doctype: str) -> bool:
	"""Install / patch: the app adds a row for `doctype` (unless there is one, or the doctype is
	missing or not allowed) and sets it up. Returns whether a row was added."""
	if doctype in settings_card_doctypes() or doctype in hook_card_doctypes() or refusal(doctype):
		return False
	before = list(settings_card_doctypes())
	idx = len(before) + 1
	frappe.get_doc(
		{
			"doctype": "Funnel Card Document Type",
			"parent": "Funnel Settings",
			"parenttype": "Funnel Settings",
			"parentfield": "card_document_types",
			"idx": idx,
			"document_type": doctype,
		}
	).db_insert()
	frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
	apply_change(before, [*before, doctype])
	return True


# --- document events of the added doctypes ("*" in hooks.py) ---------------------------------


def _dispatch(doc, method: str) -> None:
	# Runs on every save of every doctype: one membership test of a (request-cached) tuple
	# before anything else. Hook-declared doctypes have their own doc_events: not twice.
	if doc.doctype not in settings_card_doctypes() or doc.doctype in hook_card_doctypes():
		return
	for path in frappe.get_hooks("funnel_card_events", {}).get(method) or ():
		frappe.get_attr(path)(doc, method)


def on_before_validate(doc, method=None) -> None:
	_dispatch(doc, "before_validate")


def on_validate(doc, method=None) -> None:
	_dispatch(doc, "validate")


def on_update(doc, method=None) -> None:
	_dispatch(doc, "on_update")


def on_trash(doc, method=None) -> None:
	_dispatch(doc, "on_trash")
