"""Stale alarms: cards that sit in a stage longer than the stage allows.

A daily job marks such cards `funnel_stale` = "Stale" and notifies the card's owner once;
after twice the limit it marks them "Escalated" and notifies the owner's manager once (the
manager in the owner's Employee record, else the users of the escalation role in Funnel
Settings). A move clears the mark. The job works one stage at a time in batches, commits
after each batch, and is safe to run again: a card is only notified when its mark rises.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.utils import cint, now_datetime

from funnel_suite.engine.schedule import stale_since_before
from funnel_suite.funnels.card import card_doctypes
from funnel_suite.funnels.tasks import card_owner

STALE_FIELD = "funnel_stale"
LEVELS = {0: "", 1: "Stale", 2: "Escalated"}
LEVEL_OF = {label: level for level, label in LEVELS.items()}
BATCH = 500


def flag_stale_cards(now=None, batch_size: int = BATCH) -> dict[str, int]:
	"""The daily job. Returns how many cards were newly marked Stale and Escalated."""
	now = now or now_datetime()
	counts = {"Stale": 0, "Escalated": 0}
	for funnel in frappe.get_all("Funnel", filters={"enabled": 1}, fields=["name", "document_type"]):
		if funnel.document_type not in card_doctypes():
			continue
		for stage in frappe.get_all(
			"Funnel Stage",
			filters={
				"parent": funnel.name,
				"parenttype": "Funnel",
				"stage_type": "Open",
				"stale_after_days": (">", 0),
			},
			fields=["stage_name", "stale_after_days"],
		):
			for level in (2, 1):
				counts[LEVELS[level]] += _flag(funnel, stage, level, now, batch_size)
	return counts


def _flag(funnel, stage, level: int, now, batch_size: int) -> int:
	doctype = funnel.document_type
	older_than = stale_since_before(now, cint(stage.stale_after_days), level)
	already = [label for lvl, label in LEVELS.items() if lvl >= level]
	flagged = 0
	while True:
		rows = frappe.get_all(
			doctype,
			filters=[
				["funnel", "=", funnel.name],
				["funnel_stage", "=", stage.stage_name],
				["funnel_stage_since", "is", "set"],  # Frappe compares a NULL datetime as 0001-01-01
				["funnel_stage_since", "<", older_than],
				[STALE_FIELD, "not in", already],
			],
			pluck="name",
			limit_page_length=batch_size,
		)
		if not rows:
			return flagged
		for name in rows:
			frappe.db.savepoint("funnel_stale")
			try:
				_mark(doctype, name, funnel.name, stage, level, now)
				flagged += 1
			except Exception:
				# one bad card does not stop the others: log it, mark it without notifying
				frappe.db.rollback(save_point="funnel_stale")
				frappe.log_error(
					title=_("Stale alarm failed for {0} {1}").format(doctype, name),
					reference_doctype=doctype,
					reference_name=name,
				)
				frappe.db.set_value(doctype, name, STALE_FIELD, LEVELS[level], update_modified=False)
		frappe.db.commit()  # nosemgrep: scheduler job, one commit per batch
		if len(rows) < batch_size:
			return flagged


def _mark(doctype: str, name: str, funnel: str, stage, level: int, now) -> None:
	doc = frappe.get_doc(doctype, name)
	since = frappe.utils.get_datetime(doc.funnel_stage_since)
	frappe.db.set_value(doctype, name, STALE_FIELD, LEVELS[level], update_modified=False)
	owner = card_owner(doc)
	days = (now - since).days
	title = doc.get_title() or name
	if level == 1:
		users = [owner]
		subject = _("{0} has been in stage {1} of {2} for {3} days (limit: {4}).").format(
			frappe.bold(title), frappe.bold(_(stage.stage_name)), funnel, days, stage.stale_after_days
		)
	else:
		users = managers_of(owner) or [owner]
		subject = _("{0} of {1} has been in stage {2} of {3} for {4} days, twice the limit of {5}.").format(
			frappe.bold(title),
			frappe.utils.get_fullname(owner),
			frappe.bold(_(stage.stage_name)),
			funnel,
			days,
			stage.stale_after_days,
		)
	make_notification_logs(
		frappe._dict(
			type="Alert",
			document_type=doctype,
			document_name=name,
			subject=subject,
			from_user="Administrator",
		),
		users,
	)


def managers_of(user: str) -> list[str]:
	"""The user's manager from the Employee records, else the users of the escalation role."""
	if frappe.db.table_exists("Employee"):
		boss = frappe.db.get_value("Employee", {"user_id": user, "status": "Active"}, "reports_to")
		boss_user = boss and frappe.db.get_value("Employee", boss, "user_id")
		if boss_user:
			return [boss_user]
	role = frappe.db.get_single_value("Funnel Settings", "stale_escalation_role") or "Sales Manager"
	return [
		u
		for u in frappe.get_all(
			"Has Role", filters={"role": role, "parenttype": "User"}, pluck="parent", distinct=True
		)
		if u not in ("Administrator", "Guest") and frappe.db.get_value("User", u, "enabled")
	]
