"""ERPNext's Warranty Claim status in step with the claim's funnel: Open until a branch starts
(in the claims' default funnel while the route is answered), Work In Progress in an Open stage of
a branch funnel (one a route's outcome names), Closed at a Won or Lost stage (with the resolution
date ERPNext sets when it closes a claim). A cancelled claim keeps Cancelled."""

from __future__ import annotations

import frappe
from frappe.utils import now_datetime

from funnel_suite.funnels.definitions import load_funnel

OPEN, IN_PROGRESS, CLOSED, CANCELLED = "Open", "Work In Progress", "Closed", "Cancelled"


def status_for(in_branch: bool, stage_is_final: bool) -> str:
	if stage_is_final:
		return CLOSED
	return IN_PROGRESS if in_branch else OPEN


def is_branch_funnel(funnel: str) -> bool:
	"""A funnel some warranty route's outcome sends claims to."""
	return bool(frappe.db.exists("Warranty Route", {"node_kind": "Leaf", "branch_funnel": funnel}))


def keep_status_in_step(doc, method=None) -> None:
	"""doc_events validate of Warranty Claim, after the card rule planned the move."""
	if doc.get("status") == CANCELLED or doc.docstatus == 2:
		return
	if not doc.get("funnel") or not doc.get("funnel_stage"):
		return
	stage = load_funnel(doc.funnel).stage(doc.funnel_stage)
	if stage is None:
		return
	doc.status = status_for(is_branch_funnel(doc.funnel), stage.is_final)
	if doc.status == CLOSED:
		doc.resolution_date = doc.get("resolution_date") or now_datetime()
