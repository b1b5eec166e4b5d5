"""Cards: move a card, what its stage bar shows, the upsell hand-off from a won deal
(funnels/card.py, funnels/handoffs.py)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime

from funnel_suite.funnel_sales.lost import move_to_lost
from funnel_suite.funnels.definitions import is_card_doctype, load_funnel
from funnel_suite.funnels.doctype.funnel_settings.funnel_settings import get_settings
from funnel_suite.funnels.handoffs import lineage
from funnel_suite.funnels.handoffs import make_upsell as _make_upsell
from funnel_suite.funnels.log import FIELDS as LOG_FIELDS


def _check_card_doctype(doctype: str) -> None:
	if not is_card_doctype(doctype):
		frappe.throw(
			_("{0} cannot be placed in a funnel.").format(frappe.bold(doctype)),
			title=_("Invalid Document Type"),
		)


@frappe.whitelist(methods=["POST"])
def move_card(
	doctype: str,
	name: str,
	stage: str,
	comment: str | None = None,
	funnel: str | None = None,
	lost_reasons: list[str] | str | None = None,
	lost_detail: str | None = None,
	wake_up_on: str | None = None,
) -> dict:
	"""Move a card to `stage` (of its funnel, or of `funnel` when given) and log the move.

	Runs the same checks as saving the form: write permission on the card, then the
	funnel's rules. An Opportunity moving to a Lost stage takes `lost_reasons` (names of
	Opportunity Lost Reason) and goes through ERPNext's own Declare Lost; `wake_up_on` is the
	day a "not now" loss comes back from Deferred Demand.
	Returns {"funnel", "from_stage", "to_stage", "moved_on", "moved"}.
	"""
	_check_card_doctype(doctype)
	if not (stage or "").strip():
		frappe.throw(_("Stage is required: name the stage to move the card to."), title=_("Missing Stage"))
	doc = frappe.get_doc(doctype, name)
	doc.check_permission("write")
	from_stage = doc.get("funnel_stage")
	if funnel:
		doc.funnel = funnel
	doc.flags.funnel_move_comment = (comment or "").strip() or None
	doc.flags.funnel_wake_up_on = wake_up_on
	if lost_reasons and doctype == "Opportunity":
		move_to_lost(doc, stage.strip(), frappe.parse_json(lost_reasons), lost_detail)
	else:
		doc.funnel_stage = stage.strip()
		doc.save()
	logged = doc.flags.pop("funnel_logged", None)
	return {
		"funnel": doc.funnel,
		"from_stage": logged.from_stage if logged else from_stage,
		"to_stage": doc.funnel_stage,
		"moved_on": logged.moved_on if logged else None,
		"moved": bool(logged),
	}


@frappe.whitelist()
def get_card_state(doctype: str, name: str) -> dict:
	"""What the stage bar shows: the funnel's stages, the allowed next ones and the move history."""
	_check_card_doctype(doctype)
	doc = frappe.get_doc(doctype, name)
	doc.check_permission("read")
	settings = get_settings()
	state = {
		"show_stage_bar": cint(settings.show_stage_bar),
		"funnel": doc.get("funnel"),
		"stage": doc.get("funnel_stage"),
		"since": doc.get("funnel_stage_since"),
		"can_move": bool(frappe.has_permission(doctype, "write", doc))
		and doctype not in frappe.get_hooks("funnel_action_driven_doctypes"),
		"stages": [],
		"allowed_next": [],
		"history": [],
	}
	if not doc.get("funnel"):
		return state

	funnel = load_funnel(doc.funnel)
	roles = set(frappe.get_roles())
	here = funnel.stage(doc.funnel_stage)
	state["enabled"] = funnel.enabled
	state["stages"] = [
		{
			"name": s.name,
			"label": _(s.name),
			"kind": s.kind,
			"probability": s.probability,
			"next_action": s.next_action,
			"stale_after_days": s.stale_after_days,
			"role_allowed": not s.allowed_roles or bool(roles & set(s.allowed_roles)),
			"current": s is here,
		}
		for s in funnel.stages
	]
	if funnel.enabled:
		state["allowed_next"] = [s.name for s in funnel.next_stages(doc.funnel_stage)]
	if doc.get("funnel_stage_since"):
		days = (now_datetime() - get_datetime(doc.funnel_stage_since)).days
		state["days_in_stage"] = days
		state["stale"] = bool(here and here.stale_after_days and days > here.stale_after_days)
	state["lineage"] = lineage(
		doctype, name, (doc.get("funnel_source_doctype"), doc.get("funnel_source_name"))
	)
	# The move log follows its card: the caller's read permission on this card was checked above.
	# (get_list would also need a role rule on Funnel Transition, which the roles of a doctype
	# added in Funnel Settings, e.g. Support Team on Issue, do not have.)
	state["history"] = frappe.get_all(
		"Funnel Transition",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=[f for f in LOG_FIELDS if f not in ("reference_doctype", "reference_name")],
		order_by="moved_on desc, name desc",
		limit_page_length=cint(settings.history_rows) or 20,
	)
	return state


@frappe.whitelist(methods=["POST"])
def make_upsell(opportunity: str, funnel: str | None = None) -> str:
	"""One click from a won deal: a new Opportunity for the same customer in the Upsell funnel
	(or `funnel`), linked to the won one. Returns the new Opportunity's name."""
	source = frappe.get_doc("Opportunity", opportunity)
	source.check_permission("read")
	frappe.has_permission("Opportunity", "create", throw=True)
	return _make_upsell(source, funnel)
