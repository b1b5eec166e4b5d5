"""Whitelisted methods: the public contract `funnel_suite.api.<name>`.

Each method checks permissions explicitly before doing anything; reads for users go
through `frappe.get_list`, which applies roles, user permissions and shares.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime

from funnel_suite.engine import intake as intake_engine
from funnel_suite.funnel_procurement.api import (  # public paths funnel_suite.api.<name>
	make_case_purchase_order,
	make_case_request_for_quotation,
	make_case_supplier_quotation,
)
from funnel_suite.funnel_qualification import intake as intake_flow
from funnel_suite.funnel_qualification import qualify as qualification
from funnel_suite.funnel_sales import refusals
from funnel_suite.funnel_sales.lost import move_to_lost
from funnel_suite.funnels.audit import audit_doc
from funnel_suite.funnels.card import is_card_doctype, load_funnel
from funnel_suite.funnels.doctype.funnel_settings.funnel_settings import get_settings
from funnel_suite.funnels.handoffs import lineage
from funnel_suite.funnels.handoffs import make_upsell as _make_upsell
from funnel_suite.funnels.log import FIELDS as LOG_FIELDS
from funnel_suite.funnels.presets import apply_preset as _apply_preset
from funnel_suite.funnels.presets import describe_presets


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
	state["history"] = frappe.get_list(
		"Funnel Transition",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=[f for f in LOG_FIELDS if f not in ("reference_doctype", "reference_name")],
		order_by="moved_on desc, name desc",
		limit_page_length=cint(settings.history_rows) or 20,
	)
	return state


@frappe.whitelist()
def get_funnels(doctype: str) -> list[dict]:
	"""Enabled funnels the user may read for a document type, with their stage names."""
	_check_card_doctype(doctype)
	funnels = frappe.get_list(
		"Funnel",
		filters={"document_type": doctype, "enabled": 1},
		fields=["name", "purpose", "is_default"],
		order_by="is_default desc, funnel_name asc",
	)
	for row in funnels:
		funnel = load_funnel(row.name)
		row["stages"] = list(funnel.stage_names)
		row["open_stages"] = [s.name for s in funnel.stages if s.kind == "Open"]
		row["lost_stages"] = [s.name for s in funnel.stages if s.kind == "Lost"]
	return funnels


@frappe.whitelist()
def get_presets() -> list[dict]:
	"""Presets an admin can apply, with their funnels and stages (translated)."""
	frappe.has_permission("Funnel", "read", throw=True)
	return describe_presets()


@frappe.whitelist(methods=["POST"])
def apply_preset(preset: str) -> list[str]:
	"""Create the funnels of a preset (business type) that do not exist yet; returns their names.

	Applying the same preset twice creates nothing the second time.
	"""
	frappe.has_permission("Funnel", "create", throw=True)
	return _apply_preset(preset)["created"]


@frappe.whitelist()
def audit_funnel(funnel: str) -> list[dict]:
	"""The design audit of a funnel: [{code, severity, stage, message, suggestion}], in the user's language."""
	doc = frappe.get_doc("Funnel", funnel)
	doc.check_permission("read")
	return audit_doc(doc)


@frappe.whitelist(methods=["POST"])
def make_upsell(opportunity: str, funnel: str | None = None) -> str:
	"""One click from a won deal: a new Opportunity for the same customer in the Upsell funnel
	(or `funnel`), linked to the won one. Returns the new Opportunity's name."""
	source = frappe.get_doc("Opportunity", opportunity)
	source.check_permission("read")
	frappe.has_permission("Opportunity", "create", throw=True)
	return _make_upsell(source, funnel)


@frappe.whitelist(methods=["POST"])
def review_refusal(
	review: str,
	verdict: str,
	note: str | None = None,
	return_stage: str | None = None,
	corrected_reason: str | None = None,
) -> dict:
	"""A reviewer's verdict on a lost deal: Verified (reason confirmed or corrected) or Returned
	(back to `return_stage`, an open stage of its funnel, with a coaching note for the owner)."""
	return refusals.give_verdict(review, verdict, note, return_stage, corrected_reason)


@frappe.whitelist()
def get_refusal_activity(review: str) -> dict:
	"""The lost deal's calls, emails, comments and moves, for the review screen."""
	return refusals.deal_activity(review)


@frappe.whitelist(methods=["POST"])
def qualify_lead(lead: str, funnel: str | None = None, stage: str | None = None) -> dict:
	"""A target lead: creates or links its Customer (Company or Individual, as ERPNext maps it) and
	Contact, and opens a deal in `funnel` (default: the default Opportunity funnel) at `stage`.
	Needs write on the Lead and create on Opportunity (and on Customer when one is made).
	Returns {"customer", "contact", "opportunity"}."""
	return qualification.qualify_lead(lead, funnel, stage)


@frappe.whitelist(methods=["POST"])
def disqualify_lead(lead: str, reason: str, note: str | None = None, target_for: str | None = None) -> dict:
	"""A non-target lead: a Disqualification Reason, the Lost stage, archived (never deleted);
	`target_for` (an Item Group) puts it on the cross-sell list of another product line."""
	return qualification.disqualify_lead(lead, reason, note, target_for)


@frappe.whitelist(methods=["POST"])
def intake(
	person_name: str | None = None,
	company_name: str | None = None,
	email: str | None = None,
	phone: str | None = None,
	source: str | None = None,
	campaign: str | None = None,
	utm_source: str | None = None,
	utm_medium: str | None = None,
	utm_campaign: str | None = None,
	channel: str | None = None,
	need: str | None = None,
	text: str | None = None,
	external_id: str | None = None,
) -> dict:
	"""One door for every inbound contact: a known person or company gets the inquiry on their card
	(a customer gets a new deal), an archived lead comes back, an unknown one becomes a Lead.
	Returns {"status": "created" | "existing" | "returning", "doctype", "name", "matched_by"}, or
	{"status": "received"} naming nothing when the caller may not read the record.
	For integrations (a user with the role Funnel Intake) and people who may create Leads; it acts
	with the caller's own rights (see funnel_qualification/intake.py)."""
	intake_flow.check_caller()
	return intake_flow.take_in(
		intake_engine.Inquiry(
			person_name=person_name,
			company_name=company_name,
			email=email,
			phone=phone,
			source=source,
			campaign=campaign,
			utm_source=utm_source,
			utm_medium=utm_medium,
			utm_campaign=utm_campaign,
			channel=channel,
			need=need,
			text=text,
			external_id=external_id,
		)
	)


@frappe.whitelist(allow_guest=True, methods=["POST"])
def public_intake(
	person_name: str | None = None,
	company_name: str | None = None,
	email: str | None = None,
	phone: str | None = None,
	need: str | None = None,
	text: str | None = None,
	utm_source: str | None = None,
	utm_medium: str | None = None,
	utm_campaign: str | None = None,
) -> dict:
	"""Website inquiries from anyone, no login: off until a System Manager switches it on in Funnel
	Settings; limited per IP address (HTTP 429 beyond the limit); matched like `intake` with the
	configured Funnel Intake user's rights. Always answers {"status": "received", "message"}."""
	from funnel_suite.funnel_qualification.public import CHANNEL, take_in_public

	return take_in_public(
		intake_engine.Inquiry(
			person_name=person_name,
			company_name=company_name,
			email=email,
			phone=phone,
			source=CHANNEL,
			channel=CHANNEL,
			need=need,
			text=text,
			utm_source=utm_source,
			utm_medium=utm_medium,
			utm_campaign=utm_campaign,
		)
	)


# --- analytics: the customer journey, the Funnels workspace's number cards and charts -----------


def _check_analytics_access() -> None:
	"""The workspace figures are for users who may read at least one kind of funnel card."""
	from funnel_suite.funnels.card import card_doctypes

	if not any(frappe.has_permission(doctype, "read") for doctype in card_doctypes()):
		frappe.throw(_("You do not have permission to read any funnel cards."), frappe.PermissionError)


@frappe.whitelist()
def get_customer_journey(customer: str) -> dict:
	"""Every card of a customer across funnels (only those the user may open), with stage, days
	there, next action, owner, last touch and a silence warning."""
	from funnel_suite.funnel_analytics.journey import customer_journey

	if not customer or not frappe.db.exists("Customer", customer):
		frappe.throw(
			_("Customer {0} does not exist.").format(frappe.bold(customer or "")), frappe.DoesNotExistError
		)
	return customer_journey(customer)


@frappe.whitelist()
def funnel_open_cards(filters=None) -> dict:
	"""Number card: cards in open stages of every funnel the user may see."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.open_cards_card()


@frappe.whitelist()
def funnel_stale_cards(filters=None) -> dict:
	"""Number card: cards past their stage's stale limit."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.stale_cards_card()


@frappe.whitelist()
def funnel_won_this_month(filters=None) -> dict:
	"""Number card: cards that reached a Won stage this month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.won_this_month_card()


@frappe.whitelist()
def funnel_conversion_this_month(filters=None) -> dict:
	"""Number card: cards won this month as a % of the cards that entered a funnel this month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.conversion_this_month_card()


@frappe.whitelist()
def funnel_stage_counts_chart(chart_name=None, chart=None, no_cache=None, filters=None, **_ignored) -> dict:
	"""Dashboard chart source "Funnel Stage Counts": cards in each open stage of a funnel now."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.stage_counts_chart(_chart_filters(chart_name, filters))


@frappe.whitelist()
def funnel_monthly_flow_chart(chart_name=None, chart=None, no_cache=None, filters=None, **_ignored) -> dict:
	"""Dashboard chart source "Funnel Monthly Flow": cards entering a funnel and cards won, by month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.monthly_flow_chart(_chart_filters(chart_name, filters))


def _chart_filters(chart_name, filters) -> dict:
	parsed = frappe.parse_json(filters) if filters else None
	if not parsed and chart_name and frappe.db.exists("Dashboard Chart", chart_name):
		parsed = frappe.parse_json(frappe.db.get_value("Dashboard Chart", chart_name, "filters_json") or "{}")
	return parsed or {}


PLANNED_CONTACT_STATUSES = ("Scheduled", "Done", "Skipped", "Cancelled", "Failed")
REPEAT_SALES_MANAGERS = {"Sales Manager", "Funnel Manager", "System Manager"}


@frappe.whitelist()
def get_planned_contacts(customer: str, status: str | None = None) -> list[dict]:
	"""A customer's planned contacts (repeat-sale rules) the user may read, latest due first."""
	if not customer or not frappe.db.exists("Customer", customer):
		frappe.throw(
			_("Customer {0} does not exist.").format(frappe.bold(customer)), frappe.DoesNotExistError
		)
	if not frappe.has_permission("Customer", "read", customer):
		frappe.throw(
			_("You are not allowed to read customer {0}.").format(frappe.bold(customer)),
			frappe.PermissionError,
		)
	filters = {"customer": customer}
	if status:
		if status not in PLANNED_CONTACT_STATUSES:
			frappe.throw(
				_("Status must be one of: {0}.").format(", ".join(_(s) for s in PLANNED_CONTACT_STATUSES)),
				title=_("Invalid Status"),
			)
		filters["status"] = status
	return frappe.get_list(
		"Planned Contact",
		filters=filters,
		fields=[
			"name",
			"rule",
			"mode",
			"status",
			"due_date",
			"cycle_no",
			"reason",
			"source_doctype",
			"source_name",
			"created_event",
			"created_todo",
			"created_opportunity",
		],
		order_by="due_date desc, creation desc",
		limit_page_length=200,
	)


@frappe.whitelist(methods=["POST"])
def run_repeat_sales_now() -> dict:
	"""Sales / Funnel Managers: work today's due planned contacts now, on the long queue."""
	if not REPEAT_SALES_MANAGERS & set(frappe.get_roles()):
		frappe.throw(
			_("Only a Sales Manager or a Funnel Manager can run the repeat-sales job."),
			frappe.PermissionError,
		)
	frappe.enqueue(
		"funnel_suite.funnel_repeat_sales.planner.run_daily",
		queue="long",
		job_id="funnel_repeat_sales:run_now",
		deduplicate=True,
		now=bool(frappe.flags.in_test),
	)
	return {"queued": True}
