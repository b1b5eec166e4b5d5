"""Fields the app owns: only the app's own code writes them.

The move clock (`funnel_stage_since`), the stale mark, a card's lineage, the archive and
disqualification of a lead, the intake's external id and the reanimation date are facts the
reports and jobs are built on. A user's value for them is ignored on every path that saves a
document — the desk form, REST insert and update, `frappe.client.*`, Data Import, bulk edit,
Kanban: a `before_validate` hook puts back the stored value (the field's default on a new
document) before anything else runs. The app's own writers (moves plan their clock in
`validate`, after this hook; disqualify, qualify, intake, hand-offs and repeat sales set the
fields before the save) run inside `app_writes()`, which lets their values through.

Putting the value back (rather than refusing) keeps a form that was opened before the daily
stale job marked the card from failing or unmarking it when it is saved.

The app's own tables are the app's as whole documents: no role has write or create on them,
and a save that does not come from the app (`app_writes()`) is refused with a permission error,
also for an Administrator or a role someone granted write to. Tables written only by SQL (the
move log, the analytics tables) refuse every document save in their controllers; a refusal
review changes only through its verdict (its controller) and its card fields are listed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import frappe
from frappe import _

# The whole document is the app's.
WHOLE_DOCUMENT = ("*",)

# Fields of every card doctype (hook funnel_document_types) the app owns.
CARD_OWNED_FIELDS = ("funnel_stage_since", "funnel_stale", "funnel_source_doctype", "funnel_source_name")

# One list per doctype: the fields only the app writes. (`funnel` and `funnel_stage` of a card
# are the user's to change, through the funnel's rules.)
OWNED_FIELDS: dict[str, tuple[str, ...]] = {
	"Lead": (
		*CARD_OWNED_FIELDS,
		"funnel_archived",
		"funnel_disqualification_reason",
		"funnel_disqualification_note",
		"funnel_external_id",
		"funnel_returning",
		"funnel_phone_as_given",
		"funnel_channel",
	),
	"Opportunity": (*CARD_OWNED_FIELDS, "funnel_reanimated_on"),
	"Refusal Review": CARD_OWNED_FIELDS,
	# progress read from the case's buying documents (funnel_suite.funnel_procurement)
	"Procurement Case": (
		*CARD_OWNED_FIELDS,
		"ordered_percent",
		"received_percent",
		"billed_percent",
		"paid_percent",
	),
	# where a claim stands on its warranty route (funnel_suite.funnel_warranty.claim)
	"Warranty Claim": (*CARD_OWNED_FIELDS, "warranty_node", "warranty_outcome", "warranty_decision_path"),
	# production: issued quantities and task links live on rows (the controller keeps them)
	"Production Order": CARD_OWNED_FIELDS,
	# the production order a Work Order was created for, and its Job Cards (work_orders.py)
	"Work Order": ("production_order",),
	"Job Card": ("production_order",),
	# the order whose Create Project hand-off opened the project: how the hand-off finds it again
	"Project": ("production_order",),
	# a smart task remembers its funnel and stage: that mark is what closes it when the card moves
	"ToDo": ("funnel", "funnel_stage"),
	# the board the app keeps in step with the funnel (and deletes with it); the preset it came from
	"Funnel": ("kanban_board", "preset"),
	# the app's own tables written through documents (inside app_writes()) or by SQL
	"Planned Contact": WHOLE_DOCUMENT,
	"Repeat Sale Digest": WHOLE_DOCUMENT,
	"Cadence Enrollment": WHOLE_DOCUMENT,
	"Funnel Contact Key": WHOLE_DOCUMENT,
	"Lead Source Alarm": WHOLE_DOCUMENT,
	"Procurement Alarm": WHOLE_DOCUMENT,
}

_FLAG = "funnel_app_writes"


def owned_fields(doctype: str) -> tuple[str, ...]:
	fields = OWNED_FIELDS.get(doctype)
	if fields is not None:
		return fields
	# a card doctype a System Manager added in Funnel Settings (Card Document Types)
	from funnel_suite.funnels.definitions import settings_card_doctypes

	return CARD_OWNED_FIELDS if doctype in settings_card_doctypes() else ()


@contextmanager
def app_writes() -> Iterator[None]:
	"""The app is writing: owned fields set inside this block are kept (nests, never leaks)."""
	frappe.flags[_FLAG] = (frappe.flags.get(_FLAG) or 0) + 1
	try:
		yield
	finally:
		frappe.flags[_FLAG] -= 1


def app_is_writing() -> bool:
	return bool(frappe.flags.get(_FLAG))


def keep_owned_fields(doc, method=None) -> None:
	"""doc_events before_validate (runs on every save path, even with ignore_validate): put back
	the stored value of every owned field a user's request changed; a new document gets the
	field's default. A whole-document table refuses the save."""
	fields = owned_fields(doc.doctype)
	if not fields or app_is_writing():
		return
	if fields == WHOLE_DOCUMENT:
		frappe.throw(
			_("{0} records are written by the app; they cannot be created or edited by hand.").format(
				_(doc.doctype)
			),
			exc=frappe.PermissionError,
			title=_("Read Only"),
		)
	before = None if doc.is_new() else doc.get_doc_before_save()
	for fieldname in fields:
		df = doc.meta.get_field(fieldname)
		if df is None:
			continue
		if before is not None:
			doc.set(fieldname, before.get(fieldname))
		else:
			doc.set(fieldname, _default(df))


def _default(df):
	if df.default:
		return frappe.utils.cint(df.default) if df.fieldtype in ("Check", "Int") else df.default
	return 0 if df.fieldtype in ("Check", "Int") else None
