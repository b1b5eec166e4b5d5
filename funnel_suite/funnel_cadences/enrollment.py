"""Enrollment of cards in the cadence of their stage, and the stop rules.

Everything here runs inside the transaction of the move (hook `funnel_on_move`) or of the
incoming Communication (doc_events after_insert); nothing is sent here: the sender picks
due steps in background jobs.
"""

from __future__ import annotations

import frappe
from frappe.utils import cint, now_datetime

from funnel_suite import engine as funnel_engine
from funnel_suite.engine import cadence as engine
from funnel_suite.funnels.owned import app_writes

ENROLLMENT = "Cadence Enrollment"


def stage_cadence(funnel: str | None, stage: str | None) -> str | None:
	"""The enabled cadence a funnel stage names, if any."""
	if not funnel or not stage:
		return None
	key = funnel_engine.normalize_stage_name(stage)
	for row in frappe.get_cached_doc("Funnel", funnel).stages:
		if funnel_engine.normalize_stage_name(row.stage_name or "") == key:
			name = row.get("cadence")
			if name and cint(frappe.db.get_value("Cadence", name, "enabled")):
				return name
			return None
	return None


def stage_kind(funnel: str | None, stage: str | None) -> str | None:
	if not funnel or not stage:
		return None
	from funnel_suite.funnels.card import load_funnel

	found = load_funnel(funnel).stage(stage)
	return found.kind if found else None


def on_card_moved(doc, entries: list[dict]) -> None:
	"""funnel_on_move: stop the enrollments of the stage the card left, enroll it in the cadence
	of the stage it ends in."""
	funnel, stage = doc.get("funnel"), doc.get("funnel_stage")
	event = engine.stage_event(stage_kind(funnel, stage) or "")
	here = funnel_engine.normalize_stage_name(stage or "")
	for enrollment in active_enrollments(doc.doctype, doc.name):
		if enrollment.funnel == funnel and funnel_engine.normalize_stage_name(enrollment.stage or "") == here:
			continue  # still in the enrollment's stage (a hand-off came back, a no-op move)
		flags = stop_flags(enrollment.cadence)
		reason = (engine.stop_reason(event, flags) if event else None) or engine.stop_reason(
			engine.STAGE_EXIT, flags
		)
		if reason:
			stop(enrollment, reason)
	cadence = stage_cadence(funnel, stage)
	if cadence and not frappe.db.exists(
		ENROLLMENT,
		{
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"cadence": cadence,
			"status": engine.ACTIVE,
		},
	):
		enroll(doc, cadence, funnel, stage)


def enroll(doc, cadence: str, funnel: str, stage: str):
	from funnel_suite.funnel_cadences.steps import step_of

	definition = frappe.get_cached_doc("Cadence", cadence)
	now = now_datetime()
	due = engine.planned_due_times(now, [step_of(row) for row in definition.steps])
	enrollment = frappe.get_doc(
		{
			"doctype": ENROLLMENT,
			"reference_doctype": doc.doctype,
			"reference_name": doc.name,
			"cadence": cadence,
			"funnel": funnel,
			"stage": stage,
			"status": engine.ACTIVE,
			"enrolled_on": now,
			"steps": [
				{
					"step_no": row.idx,
					"channel": row.channel,
					"due_on": at,
					"planned_on": at,
					"status": engine.QUEUED,
					"attempts": 0,
					"cadence_step": row.name,
				}
				for row, at in zip(definition.steps, due, strict=True)
			],
		}
	)
	with app_writes():
		enrollment.insert(ignore_permissions=True)
	return enrollment


def active_enrollments(doctype: str, name: str) -> list:
	# every move asks (most cards have none): one plain indexed read, not the list query builder
	names = frappe.db.sql_list(
		f"""select name from `tab{ENROLLMENT}`
		where reference_doctype = %s and reference_name = %s and status = %s order by creation asc""",
		(doctype, name, engine.ACTIVE),
	)
	return [frappe.get_doc(ENROLLMENT, n, for_update=True) for n in names]


def stop_flags(cadence: str) -> engine.StopFlags:
	values = frappe.db.get_value(
		"Cadence", cadence, ["stop_on_reply", "stop_on_won_or_lost", "stop_on_stage_exit"], as_dict=True
	)
	if not values:  # the cadence is gone: stop on everything
		return engine.StopFlags()
	return engine.StopFlags(
		on_reply=bool(values.stop_on_reply),
		on_won_or_lost=bool(values.stop_on_won_or_lost),
		on_stage_exit=bool(values.stop_on_stage_exit),
	)


def stop(enrollment, reason: str) -> None:
	"""Stop an Active enrollment: every Queued step becomes Skipped with the reason."""
	for index in engine.steps_to_skip([row.status for row in enrollment.steps]):
		row = enrollment.steps[index]
		row.status, row.reason = engine.SKIPPED, reason
	enrollment.status, enrollment.stop_reason = engine.STOPPED, reason
	with app_writes():
		enrollment.save(ignore_permissions=True)


def stop_cadence(cadence: str) -> int:
	"""The cadence was disabled: stop every Active enrollment of it."""
	names = frappe.get_all(ENROLLMENT, filters={"cadence": cadence, "status": engine.ACTIVE}, pluck="name")
	for name in names:
		stop(frappe.get_doc(ENROLLMENT, name, for_update=True), engine.STOP_REASONS[engine.DISABLED])
	return len(names)


def on_communication(doc, method=None) -> None:
	"""Communication after_insert: a received message linked to a card stops the card's active
	enrollments whose cadence stops on a reply."""
	if doc.get("sent_or_received") != "Received" or doc.get("communication_type") not in (
		None,
		"",
		"Communication",
	):
		return
	from funnel_suite.funnels.card import card_doctypes

	doctypes = set(card_doctypes())
	cards = set()
	if doc.get("reference_doctype") in doctypes and doc.get("reference_name"):
		cards.add((doc.reference_doctype, doc.reference_name))
	for link in doc.get("timeline_links") or []:
		if link.link_doctype in doctypes and link.link_name:
			cards.add((link.link_doctype, link.link_name))
	cards.update(cards_enrolled_for_sender(doc.get("sender")))
	reason = engine.STOP_REASONS[engine.REPLY]
	for doctype, name in sorted(cards):
		for enrollment in active_enrollments(doctype, name):
			if engine.stop_reason(engine.REPLY, stop_flags(enrollment.cadence)):
				stop(enrollment, reason)


# Where a card keeps the address its messages go to (a reply from it counts on the card even
# when the mail client broke the thread).
SENDER_FIELDS = {"Lead": "email_id", "Opportunity": "contact_email"}


def cards_enrolled_for_sender(sender: str | None) -> set[tuple[str, str]]:
	"""Cards with an active enrollment whose email address is the sender's."""
	from email.utils import parseaddr

	address = parseaddr(sender or "")[1].strip()
	if not address:
		return set()
	found = set()
	for doctype, fieldname in SENDER_FIELDS.items():
		if not frappe.get_meta(doctype).has_field(fieldname):
			continue
		rows = frappe.db.sql(
			f"""
			select distinct e.reference_name
			from `tabCadence Enrollment` e
			join `tab{doctype}` c on c.name = e.reference_name
			where e.status = 'Active' and e.reference_doctype = %(doctype)s and c.`{fieldname}` = %(address)s
			""",
			{"doctype": doctype, "address": address},
		)
		found.update((doctype, r[0]) for r in rows)
	return found


def on_card_deleted(doc, log: list[dict]) -> None:
	"""Hook `funnel_on_card_delete`: a deleted card's cadence runs go with it (they are the app's
	record of messages to this card alone; the messages themselves are Communications, which the
	host unlinks). The rows are locked first, in the order a stop or the sender takes them, so a
	step being sent right now finishes before its run is removed."""
	names = frappe.db.sql(
		"""select name from `tabCadence Enrollment`
		where reference_doctype = %s and reference_name = %s order by name for update""",
		(doc.doctype, doc.name),
		pluck=True,
	)
	if names:
		frappe.db.delete(
			"Cadence Enrollment Step", {"parenttype": "Cadence Enrollment", "parent": ("in", names)}
		)
		frappe.db.delete("Cadence Enrollment", {"name": ("in", names)})
