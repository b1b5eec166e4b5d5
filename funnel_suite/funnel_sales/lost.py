"""Lost deals stay consistent with ERPNext's own "Declare Lost".

- ERPNext's Declare Lost (status → Lost, with lost reasons) moves the card to its funnel's
  Lost stage.
- Moving a card into a Lost stage — from the stage bar, a Kanban drag, REST or an import —
  needs the lost reasons ERPNext asks for, and sets ERPNext's status to Lost (refused, like
  ERPNext refuses, while a quotation is active).
- Moving a lost card back to an open stage reopens it (status Open).
"""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnels.card import StageFieldsMissingError, load_funnel


def _lost_stage_entered(doc) -> bool:
	for row in doc.flags.get("funnel_log_rows") or []:
		stage = load_funnel(row.funnel).stage(row.to_stage)
		if stage and stage.kind == "Lost":
			return True
	return False


def follow_declare_lost(doc, method=None):
	"""Opportunity validate, before the card's move is planned: Declare Lost → the Lost stage."""
	before = doc.get_doc_before_save()
	if not before or not doc.get("funnel") or doc.status != "Lost" or before.status == "Lost":
		return
	if doc.get("funnel_stage") != before.get("funnel_stage"):
		return  # the user chose the stage (e.g. one of several Lost stages) in the same save
	funnel = load_funnel(doc.funnel)
	here = funnel.stage(doc.funnel_stage)
	if here and here.kind == "Lost":
		return
	lost = next((s for s in funnel.stages if s.kind == "Lost"), None)
	if lost:
		doc.funnel_stage = lost.name


def keep_status_in_step(doc, method=None):
	"""Opportunity validate, after the move is planned: lost reasons and ERPNext's status."""
	if not doc.flags.get("funnel_log_rows"):
		return
	if _lost_stage_entered(doc):
		if not doc.get("lost_reasons"):
			frappe.throw(
				_(
					"To move {0} to a Lost stage, give the lost reasons: use the Lost stage's button on the stage bar or ERPNext's Declare Lost."
				).format(frappe.bold(doc.name)),
				exc=StageFieldsMissingError,
				title=_("Lost Reasons Required"),
			)
		if doc.status != "Lost":
			if doc.has_active_quotation():
				frappe.throw(_("Cannot declare as lost, because Quotation has been made."))
			doc.status = "Lost"
	here = load_funnel(doc.funnel).stage(doc.funnel_stage)
	if here and here.kind != "Lost" and doc.status == "Lost":
		doc.status = "Open"  # back in work (returned by review, or deferred demand)


def move_to_lost(doc, stage: str, lost_reasons: list[str], detail: str | None = None) -> None:
	"""Move an Opportunity into a Lost stage through ERPNext's own Declare Lost."""
	unknown = [r for r in lost_reasons if not frappe.db.exists("Opportunity Lost Reason", r)]
	if unknown:
		frappe.throw(
			_("Unknown lost reason(s): {0}. Pick reasons from the Opportunity Lost Reason list.").format(
				", ".join(frappe.bold(r) for r in unknown)
			),
			title=_("Invalid Lost Reason"),
		)
	doc.funnel_stage = stage
	doc.declare_enquiry_lost([{"lost_reason": r} for r in lost_reasons], [], detail)
