"""Qualification and intake: qualify or disqualify a lead, the intake for integrations and
the public website intake (funnel_qualification/)."""

from __future__ import annotations

import frappe

from funnel_suite.engine import intake as intake_engine
from funnel_suite.funnel_qualification import intake as intake_flow
from funnel_suite.funnel_qualification import qualify as qualification


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
	from funnel_suite.funnel_qualification.public import CHANNEL, SOURCE, take_in_public

	return take_in_public(
		intake_engine.Inquiry(
			person_name=person_name,
			company_name=company_name,
			email=email,
			phone=phone,
			source=SOURCE,
			channel=CHANNEL,
			need=need,
			text=text,
			utm_source=utm_source,
			utm_medium=utm_medium,
			utm_campaign=utm_campaign,
		)
	)
