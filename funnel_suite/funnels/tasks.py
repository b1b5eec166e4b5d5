"""Smart tasks: the next action of the stage a card enters becomes a host ToDo.

Entering a stage with a next action assigns a ToDo (what to achieve, due after the stage's
days) to the stage's assignee or the card's owner; leaving the stage closes the open smart
task of the previous stage. ToDos made here carry `funnel` and `funnel_stage`, so the
salesperson's own ToDos on the same card are never touched.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import add_days, cint, get_fullname, now, nowdate

from funnel_suite.funnels.sanitize import sanitized_value

# The field that names who works a card, per card doctype (else the document's owner).
OWNER_FIELDS = {
	"Lead": "lead_owner",
	"Opportunity": "opportunity_owner",
	"Refusal Review": "reviewer",
	"Procurement Case": "buyer",
	"Production Order": "manager",
}


def card_owner(doc) -> str:
	field = OWNER_FIELDS.get(doc.doctype)
	return (field and doc.get(field)) or doc.owner or frappe.session.user


def _may_read(user: str, doc) -> bool:
	return bool(frappe.has_permission(doc.doctype, "read", doc, user=user))


def assignee(row, doc) -> str:
	"""Who gets a stage's next action: the stage's user, else (with a stage role) the card's owner
	when they have the role or the role's least busy user, else the card's owner.

	The ToDo names the card and its title, so it only goes to someone who may read the card: a
	stage's user or a role's user kept from it (another company's, by user permissions) is passed
	over."""
	if row.next_action_assign_to and _may_read(row.next_action_assign_to, doc):
		return row.next_action_assign_to
	owner = card_owner(doc)
	if not row.get("next_action_role") or row.next_action_role in frappe.get_roles(owner):
		return owner
	users = [
		u
		for u in frappe.get_all(
			"Has Role",
			filters={"role": row.next_action_role, "parenttype": "User"},
			pluck="parent",
			distinct=True,
		)
		if u not in ("Administrator", "Guest")
	]
	users = (
		frappe.get_all("User", filters={"name": ("in", users), "enabled": 1}, pluck="name") if users else []
	)
	if not users:
		return owner
	load = {
		r.allocated_to: r.count
		for r in frappe.get_all(
			"ToDo",
			filters={"allocated_to": ("in", users), "status": "Open"},
			fields=["allocated_to", "count(name) as count"],
			group_by="allocated_to",
		)
	}
	for user in sorted(sorted(users), key=lambda u: load.get(u, 0)):  # the least busy reader
		if _may_read(user, doc):
			return user
	return owner


def _stage_row(funnel: str, stage: str):
	return next(
		(row for row in frappe.get_cached_doc("Funnel", funnel).stages if row.stage_name == stage), None
	)


def sync_smart_tasks(doc, funnel: str, stage: str) -> str | None:
	"""Close the card's open smart tasks and open the new stage's one. Returns the new ToDo name.

	Runs on every move, so it writes directly (a handful of queries, no per-ToDo document
	cycle): the ToDo rows, then the card's `_assign` list exactly as ToDo.update_in_reference
	would compute it.
	"""
	closed = close_smart_tasks(doc.doctype, doc.name, update_assign=False)
	row = _stage_row(funnel, stage)
	todo_name = None
	if row and row.next_action:
		todo = frappe.new_doc("ToDo")
		todo.update(
			{
				"status": "Open",
				"priority": "Medium",
				"allocated_to": assignee(row, doc),
				"assigned_by": frappe.session.user,
				"assigned_by_full_name": get_fullname(frappe.session.user),
				"date": add_days(nowdate(), cint(row.next_action_due_days)),
				# db_insert skips the host's sanitizer: the text (a typed next action, the card's
				# title) is sanitized as the ToDo's description field would be on save
				"description": sanitized_value(
					"ToDo",
					"description",
					_("{0} — {1} ({2}: {3})").format(
						_(row.next_action), doc.get_title() or doc.name, _(funnel), _(stage)
					),
				),
				"reference_type": doc.doctype,
				"reference_name": doc.name,
				"funnel": funnel,
				"funnel_stage": stage,
			}
		)
		todo.set_new_name()
		todo.set_user_and_timestamp()
		todo.db_insert()
		todo_name = todo.name
	if closed or todo_name:
		refresh_assignments(doc.doctype, doc.name)
	return todo_name


def close_smart_tasks(doctype: str, name: str, *, update_assign: bool = True) -> int:
	"""Close the card's open smart tasks (never the ToDos people made by hand). Returns how many.

	One statement (no read of their names first): every move runs it."""
	frappe.db.sql(
		"""update `tabToDo` set `status` = 'Closed', `modified` = %s, `modified_by` = %s
		where `reference_type` = %s and `reference_name` = %s and `status` = 'Open'
			and ifnull(`funnel_stage`, '') != ''""",
		(now(), frappe.session.user, doctype, name),
	)
	closed = frappe.db._cursor.rowcount or 0
	if closed and update_assign:
		refresh_assignments(doctype, name)
	return closed


def refresh_assignments(doctype: str, name: str) -> None:
	"""The card's `_assign` (the avatars in list views): users of its open ToDos, newest first.

	One read gives the stored list and the open ToDos (the card's row, joined to its ToDos); the
	card is written only when the list changed (a move between two stages that both assign the
	same owner leaves it as it is)."""
	rows = frappe.db.sql(
		f"""select c.`_assign`, t.`allocated_to` from `tab{doctype}` c
		left join `tabToDo` t on t.`reference_type` = %(doctype)s and t.`reference_name` = c.`name`
			and t.`status` not in ('Cancelled', 'Closed') and ifnull(t.`allocated_to`, '') != ''
		where c.`name` = %(name)s
		order by t.`creation` desc""",
		{"doctype": doctype, "name": name},
	)
	if not rows:
		return  # the card is gone
	assigned = [user for _stored, user in rows if user]
	value = json.dumps(list(dict.fromkeys(assigned))) if assigned else ""
	if (rows[0][0] or "") == value:
		return
	frappe.db.set_value(doctype, name, "_assign", value, update_modified=False)
