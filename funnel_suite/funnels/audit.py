"""The funnel design audit on a site: the engine's findings, worded in the user's language.

The engine (`funnel_suite.engine.audit`) decides; this module loads the vocabulary (the
shipped lists plus the admin's additions from Funnel Settings) and turns each finding into a
translated message that says why the name or the shape is a problem and what to do instead.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import cint, escape_html

from funnel_suite.engine.audit import Finding, audit_funnel, load_vocabulary
from funnel_suite.funnels.card import to_engine

SEVERITY_ORDER = {"error": 0, "warning": 1, "hint": 2}


def bold(value) -> str:
	"""A typed value (stage name, vocabulary phrase or suggestion from Funnel Settings, a Code field
	the host never sanitizes) in a message shown as HTML: escaped, then bold."""
	return frappe.bold(escape_html(str(value)))


def site_vocabulary():
	"""The shipped vocabulary merged with Funnel Settings' additions (validated when saved)."""
	extra = frappe.db.get_single_value("Funnel Settings", "audit_vocabulary")
	return load_vocabulary(extra=json.loads(extra) if extra else None)


def max_open_stages() -> int:
	return cint(frappe.db.get_single_value("Funnel Settings", "audit_max_open_stages")) or 7


def audit_doc(doc) -> list[dict]:
	"""Findings for a Funnel document (saved or not) as dicts with translated messages."""
	findings = audit_funnel(
		to_engine(doc),
		site_vocabulary(),
		purpose=doc.get("purpose"),
		max_open_stages=max_open_stages(),
	)
	return [{**finding.as_dict(), "message": translated_message(finding)} for finding in findings]


def _suggest(finding: Finding) -> str:
	if not finding.suggestion:
		return ""
	suggestion = bold(finding.suggestion)
	if finding.params.get("merge"):
		return " " + _(
			"For example: {0} (the funnel already has that stage: consider merging the two)."
		).format(suggestion)
	return " " + _("For example: {0}.").format(suggestion)


def translated_message(finding: Finding) -> str:
	stage = bold(finding.stage) if finding.stage else ""
	params = finding.params
	match = bold(params.get("match", ""))
	code = finding.code
	if code == "no_entry_stage":
		return _(
			"The funnel has no Open stage, so new cards have nowhere to start. Add an Open stage for the first fact, e.g. Inquiry received."
		)
	if code == "no_won_stage":
		return _(
			"The funnel has no Won stage, so a successful deal can never be closed and counted. Add one named after the fact that ends the deal, e.g. Contract signed."
		)
	if code == "no_lost_stage":
		return _(
			"The funnel has no Lost stage, so refused deals stay open for ever and distort conversion. Add one, e.g. Deal lost."
		)
	if code == "too_many_open_stages":
		return _(
			"The funnel has {0} open stages (more than {1}). Keep the minimum stages that describe the customer's decision: merge stages that mark the same fact and turn manager activities into next actions."
		).format(params.get("open_count"), params.get("max_open_stages"))
	if code == "dead_end":
		return _(
			"No move is possible from the open stage {0}: its allowed next stages name no other stage, so its cards are stuck. Add the stages a card may go to next, or clear the list to allow any stage."
		).format(stage)
	if code == "open_stage_cannot_finish":
		return _(
			"From the open stage {0} no Won or Lost stage can be reached, so its cards can never be closed. Allow a move towards a Won stage and a Lost stage."
		).format(stage)
	if code == "unreachable_stage":
		return _(
			"The stage {0} cannot be reached from the entry stage {1} by the allowed moves, so no card will get there. Add it to the allowed next stages of an earlier stage, or remove it."
		).format(stage, bold(params.get("entry", "")))
	if code == "meeting_scheduled_hint":
		return _(
			"{0} (like {1}): the sources disagree here. One article counts an agreed meeting as a completed fact of the customer's decision, another as a manager activity. Keep it if the agreed meeting really marks the customer's step forward; otherwise name the fact the meeting produces."
		).format(stage, match)
	if code == "activity_stage":
		return _(
			"{0} describes a manager activity (like {1}), not the customer's decision: calls and meetings are work, they repeat and prove nothing about the deal. Name the stage after the completed fact the activity leads to and plan the activity as the stage's next action."
		).format(stage, match) + _suggest(finding)
	if code == "vague_stage":
		return _(
			"{0} is a mood or a vague state (like {1}), not a completed fact: nobody can check it, it does not say what has happened, and cards pile up in it. Name the fact that has happened."
		).format(stage, match) + _suggest(finding)
	if code == "foreign_entity_stage" and params.get("invoice"):
		return _(
			"{0} is the state of another document (like {1}): paid is a status of the invoice, and this funnel is not about invoices. Keep the payment status on the invoice and name the stage after the customer's fact."
		).format(stage, match) + _suggest(finding)
	if code == "foreign_entity_stage":
		return _(
			"{0} is the state of another entity (like {1}): a booking or a reservation is a state of the unit being sold, not a step of the customer's decision. Keep it as a separate fact or field on that unit and name the stage after the customer's fact."
		).format(stage, match) + _suggest(finding)
	if code == "no_next_action":
		return _(
			"The open stage {0} has no next action: say what the salesperson must achieve to bring the customer to the next fact, so cards do not sit idle."
		).format(stage)
	if code == "no_stale_limit":
		return _(
			"The open stage {0} has no stale limit: set after how many days a card waiting here is flagged as stale."
		).format(stage)
	return escape_html(finding.message)


def show_findings(doc) -> list[dict]:
	"""Non-blocking warnings on save: errors and warnings of the audit, plus hints when there are few."""
	findings = audit_doc(doc)
	if not findings:
		return findings
	labels = {"error": _("Error"), "warning": _("Warning"), "hint": _("Hint")}
	items = "".join(f"<li><b>{labels[f['severity']]}</b>: {f['message']}</li>" for f in findings)
	intro = _("The funnel is saved. The design audit suggests:")
	frappe.msgprint(
		f"<p>{intro}</p><ul>{items}</ul>",
		title=_("Funnel Design Audit"),
		indicator="orange" if any(f["severity"] != "hint" for f in findings) else "blue",
	)
	return findings
