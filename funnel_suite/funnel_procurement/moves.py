"""ERPNext's buying documents move their procurement case.

A Purchase Order, Purchase Receipt or Purchase Invoice carries `procurement_case` (ERPNext's
mappers copy it from document to document). When one is submitted or cancelled — or a Payment
Entry / Journal Entry pays or unpays a case's invoice — the case's progress figures are read
again and the case goes to the stage its documents support:

- the *automatic* stages of the case's funnel are those whose Stage Checks include a document
  check (order_placed, invoice_received, fully_received, fully_paid); a stage is *supported* when
  its document checks pass;
- a submit moves the case forward only: to the furthest supported stage after the current one;
- a cancel moves it back when its current stage is no longer supported: to the furthest supported
  stage before it, else to the hand-kept stage it came from, logged with the reason.

The move is the card's normal save — the funnel's rules, roles (the submitter's) and checks apply,
the move log says who submitted (`moved_by`) and names the document. A move the funnel refuses
does not fail the submit: the case stays, its figures are updated, and the buyer gets a
notification and a timeline comment saying what blocks it.
"""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_procurement import progress
from funnel_suite.funnel_procurement.setup import CASE_FIELD
from funnel_suite.funnels.card import describe_funnel_error, load_funnel
from funnel_suite.funnels.owned import app_writes

CASE = "Procurement Case"
DOCUMENT_CHECKS = ("order_placed", "invoice_received", "fully_received", "fully_paid")
FIGURES = ("ordered_percent", "received_percent", "billed_percent", "paid_percent")


# --- document events ------------------------------------------------------------------------


# item fields of the buying documents that name the document they were made from
SOURCE_FIELDS = {
	"material_request": "Material Request",
	"request_for_quotation": "Request for Quotation",
	"supplier_quotation": "Supplier Quotation",
	"purchase_order": "Purchase Order",
	"purchase_receipt": "Purchase Receipt",
}


def _inherited(doc, case: str) -> bool:
	"""The case came with the document it was made from (ERPNext's mapper copied it)."""
	for field, doctype in SOURCE_FIELDS.items():
		names = {row.get(field) for row in doc.get("items") or [] if row.get(field)}
		if names and frappe.db.exists(doctype, {"name": ("in", list(names)), CASE_FIELD: case}):
			return True
	return False


def check_case_link(doc, method=None) -> None:
	"""validate of a buying document: linking it to a case needs read permission on the case (the
	document will move it). A link carried over from the source document (a receipt made from the
	case's order by a storekeeper) needs nothing more."""
	case = doc.get(CASE_FIELD)
	if not case:
		return
	before = doc.get_doc_before_save()
	if before is not None and before.get(CASE_FIELD) == case:
		return
	if not frappe.has_permission(CASE, "read", case) and not _inherited(doc, case):
		frappe.throw(
			_("You may not read procurement case {0}, so {1} cannot be linked to it.").format(
				frappe.bold(case), _(doc.doctype)
			),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)


def _lock_case(document, name: str, keep: bool = False):
	"""The case, read under a row lock (two documents of one case: one at a time), or None if it
	is gone. A Purchase Order's before_submit reads it and keeps it (`keep`) for its on_submit in
	the same transaction, which takes it (once: a later cancel of the same object reads again)."""
	loaded = document.flags.pop("procurement_case_doc", None)
	if not keep and loaded is not None and loaded.name == name:
		return loaded
	messages = len(frappe.local.message_log)
	try:
		case = frappe.get_doc(CASE, name, for_update=True)
	except frappe.DoesNotExistError:
		del frappe.local.message_log[messages:]  # a deleted case: nothing to check or move
		return None
	if keep:
		document.flags.procurement_case_doc = case
	return case


def check_order_supplier(doc, method=None) -> None:
	"""before_submit of a Purchase Order: its supplier is the case's."""
	case = doc.get(CASE_FIELD)
	if not case:
		return
	loaded = _lock_case(doc, case, keep=True)
	supplier = loaded.supplier if loaded is not None else None
	if supplier and supplier != doc.supplier:
		frappe.throw(
			_(
				"Purchase Order {0} is for supplier {1}, but procurement case {2} buys from {3}. Change the order's supplier or the case's."
			).format(
				frappe.bold(doc.name), frappe.bold(doc.supplier), frappe.bold(case), frappe.bold(supplier)
			),
			title=_("Wrong Supplier"),
		)


def on_submit(doc, method=None) -> None:
	if doc.get(CASE_FIELD):
		sync_case(doc.get(CASE_FIELD), doc, cancelled=False)


def on_cancel(doc, method=None) -> None:
	if doc.get(CASE_FIELD):
		sync_case(doc.get(CASE_FIELD), doc, cancelled=True)


def _paid_invoices(doc) -> list[str]:
	if doc.doctype == "Payment Entry":
		rows = [(r.reference_doctype, r.reference_name) for r in doc.get("references") or []]
	else:  # Journal Entry
		rows = [(r.reference_type, r.reference_name) for r in doc.get("accounts") or []]
	return list(dict.fromkeys(name for doctype, name in rows if doctype == "Purchase Invoice" and name))


def on_payment(doc, method=None) -> None:
	"""on_submit / on_cancel of a Payment Entry or Journal Entry: the invoices' cases follow."""
	invoices = _paid_invoices(doc)
	if not invoices:
		return
	cases = frappe.get_all(
		"Purchase Invoice",
		filters={"name": ("in", invoices), CASE_FIELD: ("is", "set")},
		pluck=CASE_FIELD,
		distinct=True,
	)
	for case in cases:
		sync_case(case, doc, cancelled=doc.docstatus == 2)


# --- the move -------------------------------------------------------------------------------


def _document_checks(stage) -> tuple[str, ...]:
	return tuple(c for c in stage.checks if c in DOCUMENT_CHECKS)


def _supported(stage, figures) -> bool:
	results = {
		"order_placed": bool(figures.orders),
		"invoice_received": bool(figures.invoices),
		"fully_received": bool(figures.fully_received),
		"fully_paid": progress.fully_paid(figures),
	}
	return all(results[c] for c in _document_checks(stage))


def target_stage(case, figures, cancelled: bool) -> str | None:
	"""The stage the documents move the case to, or None to stay."""
	if not case.get("funnel"):
		return None
	funnel = load_funnel(case.funnel)
	here = funnel.stage(case.funnel_stage)
	if here is None or not funnel.enabled:
		return None
	automatic = [s for s in funnel.stages if _document_checks(s)]
	if not automatic or (here.kind == "Lost"):
		return None
	position = funnel.position(here.name)
	supported = [s for s in automatic if _supported(s, figures)]
	if not cancelled:
		ahead = [s for s in supported if funnel.position(s.name) > position]
		return ahead[-1].name if ahead else None
	if here not in automatic or here in supported:
		return None
	behind = [s for s in supported if funnel.position(s.name) < position]
	if behind:
		return behind[-1].name
	return _hand_kept_stage(case, funnel, automatic)


def _hand_kept_stage(case, funnel, automatic) -> str | None:
	"""Where a case goes when no document supports an automatic stage: the stage it entered the
	automatic stages from (its move log), else the last stage kept by hand before them."""
	names = {s.name for s in automatic}
	log = frappe.get_all(
		"Funnel Transition",
		filters={"reference_doctype": CASE, "reference_name": case.name, "funnel": case.funnel},
		fields=["from_stage", "to_stage"],
		order_by="moved_on desc, name desc",
		limit_page_length=50,
	)
	for row in log:
		if row.to_stage in names and row.from_stage and row.from_stage not in names:
			stage = funnel.stage(row.from_stage)
			if stage is not None and stage.is_open:
				return stage.name
	first = funnel.position(automatic[0].name)
	before = [s for s in funnel.stages[:first] if s.is_open and s not in automatic]
	return before[-1].name if before else None


def sync_case(name: str, document, cancelled: bool) -> None:
	"""Read the case's figures again and move it as its documents say (see the module docstring).

	The case is read once (with its lock) and its figures in one query; a move saves it without
	reading it again and without re-validating its links (see _move)."""
	case = _lock_case(document, name)
	if case is None:
		return
	figures = progress.figures(case)
	case.flags.procurement_figures = figures
	stored = {field: frappe.utils.flt(case.get(field)) for field in FIGURES}
	target = target_stage(case, figures, cancelled)
	if target and target != case.funnel_stage:
		stage = case.funnel_stage
		reason = _move(case, figures, target, document, cancelled)
		if reason is None:
			return
		case.funnel_stage = stage
		_report_blocked(case, target, document, reason)
	_store_figures(case, stored, figures)


def _comment(document, cancelled: bool, target: str) -> str:
	if cancelled:
		return _("{0} {1} cancelled: the remaining documents support {2}.").format(
			_(document.doctype), document.name, _(target)
		)
	return _("{0} {1} submitted.").format(_(document.doctype), document.name)


def _move(case, figures, target: str, document, cancelled: bool) -> str | None:
	"""Move through the card's normal save; the funnel's refusal message, or None when moved."""
	frappe.db.savepoint("procurement_case_move")
	messages = len(frappe.local.message_log)
	before = frappe.get_doc(case.as_dict())  # not yet changed: what the database holds
	try:
		for field in FIGURES:
			case.set(field, figures[field])
		case.funnel_stage = target
		case.flags.funnel_move_comment = _comment(document, cancelled, target)
		# The submitter's right to submit/cancel the buying document is the authority for the
		# move (an accounts user paying an invoice may have no right on the case); the funnel's
		# rules — the submitter's roles, required fields, stage checks — still apply in validate.
		case.flags.ignore_permissions = True
		# Only the stage and the figures change: the case's links (supplier, items, warehouses…)
		# are as its last save validated them — no query per item row to check them again.
		case.flags.ignore_links = True
		# The save compares with the case as it was: the copy read under this transaction's lock
		# (ProcurementCase.load_doc_before_save), not a second read of the same row.
		case.flags.procurement_before = before
		# The items are as this transaction read them under the case's lock: no row to rewrite
		# (ProcurementCase.update_children).
		case.flags.procurement_items_unchanged = True
		with app_writes():  # the progress figures are the app's
			# No Version record: the move log (Funnel Transition) records this move — who, when,
			# from and to which stage, and the document that caused it — and the progress figures
			# are the app's computation, never versioned on their own path (_store_figures) either.
			case.save(ignore_version=True)
		return None
	except (frappe.ValidationError, frappe.PermissionError) as err:
		frappe.db.rollback(save_point="procurement_case_move")
		del frappe.local.message_log[messages:]  # the submit succeeded; this is not its error
		return _reason(err, case)


def _reason(err, case) -> str:
	from funnel_suite.engine import FunnelError

	cause = err.__context__ if isinstance(err.__context__, FunnelError) else None
	if cause is not None:
		return describe_funnel_error(cause, CASE)[0]
	return frappe.utils.strip_html(str(err)) or _(type(err).__name__)


def _store_figures(case, stored: dict, figures) -> None:
	"""Progress figures only (numbers the app computes): no save, so a buyer's open form does not
	become outdated by a colleague's receipt."""
	values = {field: figures[field] for field in FIGURES}
	if stored != values:
		frappe.db.set_value(CASE, case.name, values, update_modified=False)


def _report_blocked(case, target: str, document, reason: str) -> None:
	"""The buyer (else the case's owner) learns why the case did not move, on the timeline too."""
	text = _("{0} {1} would move this case to {2}, but the funnel does not allow it: {3}").format(
		_(document.doctype), frappe.bold(document.name), frappe.bold(_(target)), reason
	)
	case.add_comment("Info", text)
	user = case.get("buyer") or case.owner
	if user and frappe.db.get_value("User", user, "enabled"):
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": CASE,
				"document_name": case.name,
				"from_user": frappe.session.user,
				"subject": _("Procurement case {0} stays in {1}").format(
					frappe.bold(case.name), frappe.bold(_(case.funnel_stage))
				),
				"email_content": text,
			}
		).insert(ignore_permissions=True)  # a notification to the buyer, written by the app
	frappe.msgprint(text, title=_("Procurement Case Not Moved"), indicator="orange", alert=True)
