"""The digest option of a Repeat Sale Rule: one Event and one ToDo per account owner per day.

For a rule with many due contacts a day, the daily job does not create an Event and a ToDo for
every customer; it lists the day's customers of each account owner in one Repeat Sale Digest,
whose Event (in the owner's calendar) and ToDo (for the owner, or every user of the rule's ToDo
role) carry the list as a readable description with a link to each customer. Every Planned
Contact is still recorded (Done, with the digest, its Event and its ToDo linked); an Opportunity,
if the rule creates one, is still made per customer.

- Idempotent: a digest is keyed by rule, account owner, day and part (unique); a re-run the same
  day finds the contacts no longer Scheduled and creates nothing.
- A contact that becomes due later the same day (a second run) is **appended** to the day's
  digest: the owner keeps one list for the day. Two cases start a new part instead: the part is
  full (DIGEST_SIZE customers; a longer list is neither readable nor cheap to re-save), or its
  ToDo is no longer Open (the owner has finished that list and would not see a line added to it).
- Isolation: a customer whose line cannot be made (or whose Opportunity fails) is marked Failed
  and logged; the others of the digest go on. If the digest itself cannot be written, that
  owner's contacts of the batch are marked Failed, each logged; other owners go on.
- The host's documents go through their controllers (Event.insert/save, ToDo.insert/save): the
  ToDo's assignment comment and _assign land on the Repeat Sale Digest it references. The digest
  Event has no participants: a timeline Communication per customer (re-saved on every append)
  is what the digest is there to avoid; the customer's history is its Planned Contact.
"""

from __future__ import annotations

from urllib.parse import quote

import frappe
from frappe import _
from frappe.utils import cint, escape_html, format_date, get_datetime, getdate, now_datetime

from funnel_suite.engine.repeat import CYCLIC
from funnel_suite.funnel_repeat_sales.actions import (
	_close,
	_make_opportunity,
	_role_users,
	fail_contact,
	insert_as,
	skip_reason,
)
from funnel_suite.funnels.owned import app_writes

DIGEST = "Repeat Sale Digest"
DIGEST_SIZE = 200  # customers per digest part


def work_digest(contacts: list, rule, today, batch) -> dict[str, int]:
	"""The batch's due contacts of one digest rule: lines per account owner, then one digest
	write per owner (a cyclic contact's next one is scheduled by the caller, planner.work_batch)."""
	counts = {"Done": 0, "Skipped": 0, "Failed": 0}
	groups: dict[str, list[tuple]] = {}
	for contact in contacts:
		if contact.status != "Scheduled":
			continue
		try:
			reason = skip_reason(contact, rule, batch)
			if reason:
				_close(contact.name, "Skipped", reason)
				counts["Skipped"] += 1
			else:
				customer = batch.customer(contact.customer)
				owner = batch.account_owner(rule, customer, contact)
				line = digest_line(rule, customer, contact)
				if cint(rule.create_opportunity):
					frappe.db.savepoint("funnel_repeat_digest_one")
					try:
						opp = _make_opportunity(rule, customer, contact, owner, batch)
					except Exception:
						frappe.db.rollback(save_point="funnel_repeat_digest_one")
						raise
					frappe.db.set_value("Planned Contact", contact.name, "created_opportunity", opp)
				groups.setdefault(owner, []).append((contact, line))
		except Exception as err:
			fail_contact(contact, err)
			counts["Failed"] += 1
	for owner, items in groups.items():
		frappe.db.savepoint("funnel_repeat_digest")
		try:
			_write(rule, owner, getdate(today), items)
			counts["Done"] += len(items)
		except Exception as err:
			frappe.db.rollback(save_point="funnel_repeat_digest")
			for contact, _line in items:
				fail_contact(contact, err)
			counts["Failed"] += len(items)
	return counts


def digest_line(rule, customer, contact) -> str:
	"""One customer of a digest, as an HTML list item linking to the customer (every part escaped:
	the list is stored unsanitized on the digest, and the host sanitizes the Event and ToDo)."""
	name = customer.customer_name or customer.name
	link = f'<a href="/app/customer/{quote(customer.name, safe="")}">{escape_html(name)}</a>'
	if contact.mode == CYCLIC:
		what = _("planned contact no. {0}, cycle started by {1} on {2}").format(
			cint(contact.cycle_no),
			escape_html(contact.source_name),
			format_date(contact.cycle_anchor or contact.source_date),
		)
	else:
		what = _("bought on {0} ({1})").format(
			format_date(contact.source_date), escape_html(contact.source_name)
		)
	return f"<li>{link}: {what}</li>"


def _write(rule, owner: str, day, items: list[tuple]) -> None:
	"""Append the items to the owner's open digest of the day, starting parts as needed; the
	Planned Contacts of each part are marked Done in one UPDATE. A concurrent run that created
	the same part first makes the insert fail on the unique key: the part is read again."""
	while items:
		for attempt in (1, 2):
			frappe.db.savepoint("funnel_repeat_digest_part")
			try:
				taken = _fill_part(rule, owner, day, items)
				break
			except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
				frappe.db.rollback(save_point="funnel_repeat_digest_part")
				if attempt == 2:
					raise
		items = items[taken:]


def _fill_part(rule, owner: str, day, items: list[tuple]) -> int:
	part = _open_part(rule, owner, day)
	if part is None:
		last = frappe.db.sql(
			f"select max(part) from `tab{DIGEST}` where rule=%s and account_owner=%s and digest_date=%s",
			(rule.name, owner, day),
		)[0][0]
		part = frappe._dict(name=None, part=cint(last) + 1, contact_count=0, customers="")
	take = items[: DIGEST_SIZE - cint(part.contact_count)]
	customers = (part.customers or "") + "".join(line for _contact, line in take)
	count = cint(part.contact_count) + len(take)
	if part.name is None:
		digest = _insert_digest(rule, owner, day, part.part, count, customers)
	else:
		digest = _update_digest(rule, owner, part, count, customers)
	names = [contact.name for contact, _line in take]
	frappe.db.set_value(
		"Planned Contact",
		{"name": ("in", names)},
		{
			"status": "Done",
			"done_on": now_datetime(),
			"reason": "",
			"digest": digest.name,
			"created_event": digest.event,
			"created_todo": digest.todo,
		},
	)
	return len(take)


def _open_part(rule, owner: str, day):
	"""The day's last part of the owner's digest if it has room and its ToDo is still open
	(locked), else None."""
	rows = frappe.db.sql(
		f"""select name, part, contact_count, customers, event, todo from `tab{DIGEST}`
		where rule=%s and account_owner=%s and digest_date=%s order by part desc limit 1 for update""",
		(rule.name, owner, day),
		as_dict=True,
	)
	if not rows:
		return None
	part = rows[0]
	if cint(part.contact_count) >= DIGEST_SIZE:
		return None
	if part.todo and frappe.db.get_value("ToDo", part.todo, "status") != "Open":
		return None
	return part


def _subject(count: int, part: int) -> str:
	subject = _("Repeat sale: {0} customers to contact").format(count)
	return subject + (" " + _("(part {0})").format(part) if part > 1 else "")


def _description(rule, count: int, customers: str) -> str:
	head = _("Repeat-sale rule {0}: today's customers who have not bought again ({1}).").format(
		escape_html(rule.name), count
	)
	note = f"<p>{escape_html(rule.note)}</p>" if rule.note else ""
	return f"<p>{head}</p><ol>{customers}</ol>{note}"


def _recipients(rule, owner: str) -> list[str]:
	return (_role_users(rule.assign_to_role) if rule.assign_to_role else []) or [owner]


def _insert_digest(rule, owner: str, day, part: int, count: int, customers: str):
	digest = frappe.get_doc(
		{
			"doctype": DIGEST,
			"rule": rule.name,
			"account_owner": owner,
			"digest_date": day,
			"part": part,
			"contact_count": count,
			"customers": customers,
			"digest_key": f"{rule.name}|{owner}|{day}|{part}",
		}
	)
	# the digest is the app's record (nobody may write it); it belongs to the account owner so a
	# Sales User reads their own (the DocType's "if owner" permission)
	with app_writes():
		insert_as(digest, owner)
	description = _description(rule, count, customers)
	if cint(rule.create_event):
		event = frappe.get_doc(
			{
				"doctype": "Event",
				"subject": _subject(count, part),
				"event_category": "Call",
				"event_type": "Private",
				"starts_on": get_datetime(f"{day} 09:00:00"),
				"ends_on": get_datetime(f"{day} 10:00:00"),
				"description": description,
			}
		)
		insert_as(event, owner)
		digest.event = event.name
	if cint(rule.create_todo):
		for user in _recipients(rule, owner):
			todo = frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": user,
					"description": description,
					"reference_type": DIGEST,
					"reference_name": digest.name,
					"date": day,
					"assigned_by": "Administrator",
				}
			)
			# the rule's action: users come from the rule's role or the account owner
			todo.insert(ignore_permissions=True)
			digest.todo = digest.todo or todo.name
	frappe.db.set_value(
		DIGEST, digest.name, {"event": digest.event, "todo": digest.todo}, update_modified=False
	)
	return digest


def _update_digest(rule, owner: str, part, count: int, customers: str):
	description = _description(rule, count, customers)
	if part.event:
		event = frappe.get_doc("Event", part.event)
		event.subject = _subject(count, cint(part.part))
		event.description = description
		event.save(ignore_permissions=True)  # the rule's action on the owner's digest Event
	for name in frappe.get_all(
		"ToDo",
		filters={"reference_type": DIGEST, "reference_name": part.name, "status": "Open"},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", name)
		todo.description = description
		todo.save(ignore_permissions=True)  # the rule's action on the digest's own ToDo
	frappe.db.set_value(DIGEST, part.name, {"contact_count": count, "customers": customers})
	return frappe._dict(name=part.name, event=part.event, todo=part.todo)
