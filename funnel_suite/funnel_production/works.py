"""Executors: a ToDo per work when the order enters the work's stage, and completion of a work
(closing its ToDo, or marking it Done with the hours spent)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import flt, now_datetime

from funnel_suite.engine.production import WORK_DONE, works_of_stage
from funnel_suite.funnel_production import rows
from funnel_suite.funnel_production.rows import ORDER


def open_tasks(doc, stage: str) -> list[str]:
	"""A ToDo for the executor of every unfinished work of `stage` that has none open yet."""
	by_row = {r.name: r for r in doc.works}
	created = []
	for work in works_of_stage(rows.works(doc), stage):
		row = by_row.get(work.row)
		if row is None or work.is_done or not row.executor:
			continue
		if row.todo and frappe.db.get_value("ToDo", row.todo, "status") == "Open":
			continue
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": row.executor,
				"reference_type": ORDER,
				"reference_name": doc.name,
				"description": _("Work for production order {0} ({1}): {2}").format(
					doc.name, doc.title, row.description or row.operation or ""
				),
				"date": doc.get("due_date"),
				"assigned_by": frappe.session.user,
			}
		)
		# the order's mover opens the task for its executor: the app acts for the order here, the
		# caller's write on the order was checked by its save
		todo.insert(ignore_permissions=True)
		frappe.db.set_value("Production Work", row.name, "todo", todo.name, update_modified=False)
		row.todo = todo.name
		created.append(todo.name)
	return created


def mark_done(order_doc, row, actual_hours=None) -> None:
	row.status = WORK_DONE
	row.completed_on = row.completed_on or now_datetime()
	if actual_hours is not None:
		if flt(actual_hours) < 0:
			frappe.throw(
				_("Actual Hours must be 0 or more, not {0}.").format(actual_hours), title=_("Invalid Hours")
			)
		row.actual_hours = flt(actual_hours)


def complete(order_doc, done, ignore_permissions: bool = False) -> None:
	"""Mark works Done with their hours (`done`: (row, hours) pairs), save the order once, close
	the works' tasks: the one path of a work's completion by hand and by a Job Card."""
	for row, hours in done:
		mark_done(order_doc, row, hours)
	order_doc.flags.ignore_permissions = ignore_permissions
	try:
		order_doc.save()
	finally:
		order_doc.flags.ignore_permissions = False
	for row, _hours in done:
		close_task(row)


def on_todo_update(doc, method=None) -> None:
	"""ToDo on_update: closing the task of a work marks the work Done (completed now)."""
	if doc.reference_type != ORDER or doc.status != "Closed" or not doc.has_value_changed("status"):
		return
	row = frappe.db.get_value(
		"Production Work", {"todo": doc.name, "parent": doc.reference_name}, ["name", "status"], as_dict=True
	)
	if not row or row.status == WORK_DONE:
		return
	# closing one's own task is the executor's report of the work: they may close it (the host
	# checked that), the work row follows without asking for write on the whole order
	frappe.db.set_value(
		"Production Work",
		row.name,
		{"status": WORK_DONE, "completed_on": now_datetime()},
		update_modified=False,
	)


def close_task(row) -> None:
	if row.todo and frappe.db.get_value("ToDo", row.todo, "status") == "Open":
		frappe.db.set_value("ToDo", row.todo, "status", "Closed")
