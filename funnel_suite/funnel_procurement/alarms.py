"""Procurement alarms: a daily job over the cases' buying documents.

Causes: *Late delivery* — a submitted Purchase Order of the case whose date (schedule date)
has passed and that is not fully received; *Overdue invoice* — a submitted Purchase Invoice of the
case past its due date with an amount outstanding. Per case and cause there is one open
**Procurement Alarm**: raising it notifies the buyer once; if the cause still lasts
ESCALATE_AFTER_DAYS later, the Purchase Managers are notified once; when the cause is gone the
alarm is resolved (a later recurrence raises a new one). Running the job again the same day
changes nothing. Cases are worked in batches (a commit after each) and one at a time: an error on
one case is logged and rolled back to its savepoint, the others go on. Cases in a Lost stage raise
nothing.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.utils import date_diff, escape_html, getdate, nowdate

from funnel_suite.funnels.card import load_funnel
from funnel_suite.funnels.owned import app_writes

CASE = "Procurement Case"
ALARM = "Procurement Alarm"
LATE, OVERDUE = "Late delivery", "Overdue invoice"
ESCALATE_AFTER_DAYS = 3
BATCH = 200


def _late_orders(today) -> dict[str, list[str]]:
	rows = frappe.db.sql(
		"""select procurement_case, name from `tabPurchase Order`
		where docstatus = 1 and ifnull(procurement_case, '') != '' and per_received < 100
		and status not in ('Closed', 'Completed', 'On Hold') and schedule_date < %s
		order by procurement_case, name""",
		today,
	)
	return _group(rows)


def _overdue_invoices(today) -> dict[str, list[str]]:
	rows = frappe.db.sql(
		"""select procurement_case, name from `tabPurchase Invoice`
		where docstatus = 1 and ifnull(procurement_case, '') != '' and is_return = 0
		and outstanding_amount > 0 and due_date < %s
		order by procurement_case, name""",
		today,
	)
	return _group(rows)


def _group(rows) -> dict[str, list[str]]:
	out: dict[str, list[str]] = {}
	for case, name in rows:
		out.setdefault(case, []).append(name)
	return out


def raise_alarms(today=None, batch_size: int = BATCH) -> dict[str, int]:
	"""The daily job. Returns how many alarms were raised, escalated and resolved, and how many
	cases failed."""
	today = getdate(today or nowdate())
	present = {LATE: _late_orders(today), OVERDUE: _overdue_invoices(today)}
	open_alarms: dict[str, dict[str, frappe._dict]] = {}
	for alarm in frappe.get_all(
		ALARM,
		filters={"status": "Open"},
		fields=["name", "procurement_case", "cause", "raised_on", "escalated_on", "documents"],
	):
		open_alarms.setdefault(alarm.procurement_case, {})[alarm.cause] = alarm
	cases = sorted(set(present[LATE]) | set(present[OVERDUE]) | set(open_alarms))
	counts = {"raised": 0, "escalated": 0, "resolved": 0, "failed": 0}
	for start in range(0, len(cases), batch_size):
		for case in cases[start : start + batch_size]:
			frappe.db.savepoint("procurement_alarm")
			try:
				causes = {cause: docs[case] for cause, docs in present.items() if case in docs}
				_work_case(case, causes, open_alarms.get(case, {}), today, counts)
			except Exception:
				frappe.db.rollback(save_point="procurement_alarm")
				counts["failed"] += 1
				frappe.log_error(
					title=f"Procurement alarm failed for {case}", reference_doctype=CASE, reference_name=case
				)
		frappe.db.commit()  # nosemgrep: scheduler job, one commit per batch
	return counts


def _case_info(case: str) -> frappe._dict | None:
	info = frappe.db.get_value(
		CASE, case, ["name", "title", "buyer", "owner", "funnel", "funnel_stage"], as_dict=True
	)
	if info and info.funnel:
		stage = load_funnel(info.funnel).stage(info.funnel_stage)
		info.lost = bool(stage and stage.kind == "Lost")
	return info


def _work_case(case: str, causes: dict[str, list[str]], alarms: dict, today, counts: dict) -> None:
	info = _case_info(case)
	if info is None:
		return
	if info.get("lost"):
		causes = {}
	for cause in (LATE, OVERDUE):
		docs, alarm = causes.get(cause), alarms.get(cause)
		if docs and alarm is None:
			_raise(info, cause, docs, today)
			counts["raised"] += 1
		elif docs:
			if not alarm.escalated_on and date_diff(today, alarm.raised_on) >= ESCALATE_AFTER_DAYS:
				_escalate(info, alarm, cause, docs, today)
				counts["escalated"] += 1
			elif alarm.documents != "\n".join(docs):
				_save(alarm.name, documents="\n".join(docs))
		elif alarm is not None:
			_save(alarm.name, status="Resolved", resolved_on=today)
			counts["resolved"] += 1


def _save(name: str, **values) -> None:
	doc = frappe.get_doc(ALARM, name)
	doc.update(values)
	with app_writes():  # the alarm is the app's record
		doc.save(ignore_permissions=True)


def _subject(info, cause: str, docs: list[str]) -> str:
	case = f"{frappe.bold(info.name)} ({escape_html(info.title or '')})"
	names = ", ".join(docs)
	if cause == LATE:
		return _("Late delivery on procurement case {0}: {1} passed its date without full receipt.").format(
			case, names
		)
	return _(
		"Overdue supplier invoice on procurement case {0}: {1} is past its due date with an amount outstanding."
	).format(case, names)


def _notify(info, subject: str, users: list[str]) -> None:
	users = [u for u in dict.fromkeys(users) if u and frappe.db.get_value("User", u, "enabled")]
	if users:
		make_notification_logs(
			frappe._dict(
				type="Alert",
				document_type=CASE,
				document_name=info.name,
				subject=subject,
				from_user="Administrator",
			),
			users,
		)


def _raise(info, cause: str, docs: list[str], today) -> None:
	doc = frappe.get_doc(
		{
			"doctype": ALARM,
			"procurement_case": info.name,
			"cause": cause,
			"status": "Open",
			"documents": "\n".join(docs),
			"buyer": info.buyer or info.owner,
			"raised_on": today,
		}
	)
	with app_writes():
		doc.insert(ignore_permissions=True)
	_notify(info, _subject(info, cause, docs), [info.buyer or info.owner])


def purchase_managers() -> list[str]:
	return [
		u
		for u in frappe.get_all(
			"Has Role",
			filters={"role": "Purchase Manager", "parenttype": "User"},
			pluck="parent",
			distinct=True,
		)
		if u not in ("Administrator", "Guest")
	]


def _escalate(info, alarm, cause: str, docs: list[str], today) -> None:
	_save(alarm.name, escalated_on=today, documents="\n".join(docs))
	subject = _("Still unresolved after {0} days: {1}").format(
		date_diff(today, alarm.raised_on), _subject(info, cause, docs)
	)
	_notify(info, subject, purchase_managers())


def on_case_deleted(doc, log: list[dict]) -> None:
	"""Hook `funnel_on_card_delete`: a deleted case's alarms go with it (the app's record about that
	case alone)."""
	if doc.doctype == CASE:
		frappe.db.delete(ALARM, {"procurement_case": doc.name})
