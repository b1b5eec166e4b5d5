"""Repeat-sale rules at work: what a submitted invoice or delivery note schedules, what its
cancellation undoes, and the daily job that turns due Planned Contacts into an Event, ToDo
and/or Opportunity.

- on_submit (Sales Invoice / Delivery Note): enabled rules of that document type that match
  the customer (group, territory, tree descendants included) and the items (item group) write
  Planned Contacts in the user's transaction. One-off: due n units after the posting date,
  superseding the customer's older pending reminders of the rule. Cyclic: the first qualifying
  shipment starts a cycle (and may move the customer's deal into another funnel). A broken rule
  never blocks invoicing: the problem goes to the Error Log naming the customer and the rule.
- on_cancel undoes what the submit scheduled.
- run_daily: Scheduled contacts due by the site's today, in batches with a commit per batch,
  each contact in its own savepoint (a failure marks that contact Failed and is logged with the
  customer named). Large volumes go to the long queue in chunks. Every contact carries a unique
  idempotency key and is locked and re-checked before it is worked, so running twice creates
  nothing twice.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import frappe
from frappe import _
from frappe.utils import cint, format_date, get_datetime, getdate, now_datetime

from funnel_suite.engine.repeat import (
	CYCLIC,
	ONE_OFF,
	Purchase,
	Reminder,
	contact_key,
	next_occurrence_after,
	occurrence,
	plan_cancel,
	plan_one_off,
	site_today,
)
from funnel_suite.funnel_repeat_sales.actions import (
	_close,
	_customer,
	_item_groups,
	_make_opportunity,
	fail_contact,
	insert_as,
	skip_reason,
)
from funnel_suite.funnels.owned import app_writes

TRIGGERS = ("Sales Invoice", "Delivery Note")
CACHE_KEY = "funnel_suite:repeat_sale_rules"
BATCH = 500
CHUNK = 5000  # contacts per background job on the long queue (about 5 minutes of work at 60 ms each)
RULE_FIELDS = (
	"name",
	"trigger_doctype",
	"mode",
	"customer_group",
	"territory",
	"item_group",
	"interval",
	"interval_unit",
	"create_event",
	"create_todo",
	"assign_to_role",
	"create_opportunity",
	"opportunity_funnel",
	"fallback_user",
	"note",
	"move_deal_to_funnel",
	"move_deal_to_stage",
	"digest",
)


# --- rules -------------------------------------------------------------------------------------


def clear_rules_cache() -> None:
	frappe.cache.delete_value(CACHE_KEY)


def enabled_rules() -> list[dict]:
	def build():
		return frappe.get_all("Repeat Sale Rule", filters={"enabled": 1}, fields=list(RULE_FIELDS))

	return [frappe._dict(r) for r in frappe.cache.get_value(CACHE_KEY, build)]


def rules_for(doctype: str) -> list[dict]:
	return [r for r in enabled_rules() if r.trigger_doctype == doctype]


def get_rule(name: str):
	return frappe._dict(
		frappe.db.get_value("Repeat Sale Rule", name, ["enabled", *RULE_FIELDS], as_dict=True)
	)


def _in_tree(doctype: str, value: str | None, root: str | None) -> bool:
	if not root:
		return True
	if not value:
		return False
	if value == root:
		return True
	bounds = frappe.db.get_value(doctype, root, ["lft", "rgt"])
	node = frappe.db.get_value(doctype, value, ["lft", "rgt"])
	return bool(bounds and node and bounds[0] < node[0] and node[1] < bounds[1])


def matches(rule, doc, customer) -> bool:
	if not _in_tree("Customer Group", customer.customer_group, rule.customer_group):
		return False
	if not _in_tree("Territory", customer.territory, rule.territory):
		return False
	if rule.item_group:
		groups = set(_item_groups(rule.item_group))
		if not any(row.get("item_group") in groups for row in doc.get("items") or []):
			return False
	return True


# --- submit / cancel ---------------------------------------------------------------------------


def on_submit(doc, method=None):
	"""doc_events on_submit of Sales Invoice and Delivery Note."""
	if cint(doc.get("is_return")) or not doc.get("customer"):
		return
	rules = rules_for(doc.doctype)
	if not rules:
		return
	customer = _customer(doc.customer)
	for rule in rules:
		frappe.db.savepoint("funnel_repeat_submit")
		try:
			if not matches(rule, doc, customer):
				continue
			if rule.mode == ONE_OFF:
				_schedule_one_off(rule, doc, customer)
			else:
				_start_cycle(rule, doc, customer)
		except Exception:
			# a broken rule never blocks invoicing: undo this rule's part and log it
			frappe.db.rollback(save_point="funnel_repeat_submit")
			frappe.log_error(
				title=_("Repeat sale rule {0} failed for customer {1}").format(rule.name, doc.customer),
				reference_doctype=doc.doctype,
				reference_name=doc.name,
			)


def _reminders(rule_name: str, customer: str, mode: str) -> list[Reminder]:
	rows = frappe.get_all(
		"Planned Contact",
		filters={"rule": rule_name, "customer": customer, "mode": mode},
		fields=[
			"name",
			"source_doctype",
			"source_name",
			"source_date",
			"due_date",
			"status",
			"superseded_by",
		],
		order_by="creation asc",
	)
	return [
		Reminder(
			r.name,
			Purchase(r.source_doctype, r.source_name, getdate(r.source_date)),
			getdate(r.due_date),
			r.status,
			r.superseded_by,
		)
		for r in rows
	]


def _purchase(doc) -> Purchase:
	return Purchase(doc.doctype, doc.name, getdate(doc.posting_date))


def _schedule_one_off(rule, doc, customer) -> str | None:
	plan = plan_one_off(
		_purchase(doc), _reminders(rule.name, customer.name, ONE_OFF), cint(rule.interval), rule.interval_unit
	)
	if not plan.schedule:
		return None
	name = _insert_contact(
		rule,
		customer.name,
		ONE_OFF,
		plan.schedule,
		doc.doctype,
		doc.name,
		getdate(doc.posting_date),
		key=contact_key(rule.name, customer.name, ONE_OFF, doc.doctype, doc.name),
	)
	reason = _("Customer bought again on {0} ({1})").format(format_date(doc.posting_date), doc.name)
	for old in plan.supersede:
		frappe.db.set_value(
			"Planned Contact", old, {"status": "Cancelled", "reason": reason, "superseded_by": name}
		)
	return name


def _active_cycle(rule_name: str, customer: str):
	return frappe.db.get_value(
		"Planned Contact",
		{"rule": rule_name, "customer": customer, "mode": CYCLIC, "status": "Scheduled"},
		"name",
	)


def _start_cycle(rule, doc, customer, today=None, move_deal: bool = True) -> str | None:
	if _active_cycle(rule.name, customer.name):
		return None
	anchor = getdate(doc.posting_date)
	today = getdate(today or local_today())
	k, due = next_occurrence_after(
		anchor, cint(rule.interval), rule.interval_unit, max(anchor, today - timedelta(days=1))
	)
	name = _insert_contact(
		rule,
		customer.name,
		CYCLIC,
		due,
		doc.doctype,
		doc.name,
		anchor,
		key=contact_key(rule.name, customer.name, CYCLIC, doc.doctype, doc.name, k),
		cycle_no=k,
		cycle_anchor=anchor,
	)
	if move_deal and rule.move_deal_to_funnel:
		moved = _move_deal(rule, doc, customer)
		if moved:
			frappe.db.set_value("Planned Contact", name, "moved_opportunity", moved)
	return name


def _insert_contact(rule, customer, mode, due, source_doctype, source_name, source_date, key, **extra) -> str:
	existing = frappe.db.get_value("Planned Contact", {"contact_key": key}, "name")
	if existing:
		return existing
	doc = frappe.get_doc(
		{
			"doctype": "Planned Contact",
			"customer": customer,
			"rule": rule.name,
			"mode": mode,
			"due_date": due,
			"status": "Scheduled",
			"source_doctype": source_doctype,
			"source_name": source_name,
			"source_date": source_date,
			"contact_key": key,
			**extra,
		}
	)
	# Planned Contacts are written by the app only (their controller refuses anyone else), for
	# whoever submitted the invoice / delivery note
	with app_writes():
		doc.insert(ignore_permissions=True)
	return doc.name


@contextmanager
def app_authority():
	"""Work the app does on its own (a rule moving a deal) runs with the app's full roles; the
	session's user comes back afterwards."""
	user = frappe.session.user
	frappe.session.user = "Administrator"
	try:
		yield
	finally:
		frappe.session.user = user


def _move_deal(rule, doc, customer) -> str | None:
	"""The customer's latest open deal in another funnel jumps to the rule's funnel/stage,
	through the card's normal save (validated and logged)."""
	from funnel_suite.funnels.card import load_funnel

	parties = [("Customer", customer.name)]
	if customer.lead_name:
		parties.append(("Lead", customer.lead_name))
	candidates = []
	for party_type, party in parties:
		candidates += frappe.get_all(
			"Opportunity",
			filters={
				"opportunity_from": party_type,
				"party_name": party,
				"status": ("not in", ("Lost", "Closed")),
				"funnel": ("is", "set"),
			},
			fields=["name", "funnel", "funnel_stage", "modified"],
		)
	candidates.sort(key=lambda r: r.modified, reverse=True)
	for row in candidates:
		if row.funnel == rule.move_deal_to_funnel:
			return None  # already there
		stage = load_funnel(row.funnel).stage(row.funnel_stage)
		if stage and stage.kind == "Lost":
			continue
		card = frappe.get_doc("Opportunity", row.name)
		card.funnel = rule.move_deal_to_funnel
		card.funnel_stage = rule.move_deal_to_stage or None
		card.flags.funnel_move_comment = _("First shipment {0}: moved by repeat-sale rule {1}").format(
			doc.name, rule.name
		)
		# the rule acts with the app's rights: the target funnel and stage are the rule's (Sales /
		# Funnel / System Managers write rules); the submitter of the invoice chooses nothing here
		card.flags.ignore_permissions = True
		with app_authority():
			card.save()
		return card.name
	return None


def on_cancel(doc, method=None):
	"""doc_events on_cancel: undo what this document's submit scheduled."""
	if cint(doc.get("is_return")):
		return
	rows = frappe.get_all(
		"Planned Contact",
		filters={"source_doctype": doc.doctype, "source_name": doc.name},
		fields=["rule", "customer", "mode"],
		distinct=True,
	)
	for row in rows:
		rule = get_rule(row.rule)
		if row.mode == ONE_OFF:
			_undo_one_off(rule, doc, row.customer)
		else:
			_undo_cycle(rule, doc, row.customer)


def _is_submitted(doctype: str, name: str) -> bool:
	return frappe.db.get_value(doctype, name, "docstatus") == 1


def _undo_one_off(rule, doc, customer: str) -> None:
	plan = plan_cancel((doc.doctype, doc.name), _reminders(rule.name, customer, ONE_OFF), _is_submitted)
	reason = _("{0} {1} was cancelled").format(_(doc.doctype), doc.name)
	for name in plan.cancel:
		frappe.db.set_value("Planned Contact", name, {"status": "Cancelled", "reason": reason})
	for name in plan.restore:
		frappe.db.set_value(
			"Planned Contact",
			name,
			{
				"status": "Scheduled",
				"superseded_by": None,
				"reason": _("Scheduled again: {0} {1}, which had replaced it, was cancelled").format(
					_(doc.doctype), doc.name
				),
			},
		)


def _undo_cycle(rule, doc, customer: str) -> None:
	pending = frappe.get_all(
		"Planned Contact",
		filters={
			"rule": rule.name,
			"customer": customer,
			"mode": CYCLIC,
			"status": "Scheduled",
			"source_doctype": doc.doctype,
			"source_name": doc.name,
		},
		pluck="name",
	)
	if not pending:
		return
	reason = _("{0} {1} was cancelled").format(_(doc.doctype), doc.name)
	for name in pending:
		frappe.db.set_value("Planned Contact", name, {"status": "Cancelled", "reason": reason})
	if not cint(rule.enabled):
		return
	# another qualifying shipment still holds the cycle: it restarts from the earliest one
	other = first_qualifying(rule, customer, exclude=(doc.doctype, doc.name))
	if other:
		_start_cycle(rule, frappe.get_doc(rule.trigger_doctype, other), _customer(customer), move_deal=False)


def first_qualifying(rule, customer: str, after=None, exclude=None) -> str | None:
	"""The earliest submitted, non-return document of the rule's type for the customer (posted
	after `after` if given) that contains an item of the rule's item group."""
	doctype = rule.trigger_doctype
	conditions = ["p.customer = %(customer)s", "p.docstatus = 1", "ifnull(p.is_return, 0) = 0"]
	values = {"customer": customer}
	if after:
		conditions.append("p.posting_date > %(after)s")
		values["after"] = getdate(after)
	if exclude and exclude[0] == doctype:
		conditions.append("p.name != %(exclude)s")
		values["exclude"] = exclude[1]
	if rule.item_group:
		conditions.append(
			f"exists (select 1 from `tab{doctype} Item` i where i.parent = p.name and i.parenttype = %(doctype)s and i.item_group in %(groups)s)"
		)
		values["doctype"] = doctype
		values["groups"] = tuple(_item_groups(rule.item_group))
	rows = frappe.db.sql(
		f"select p.name from `tab{doctype}` p where {' and '.join(conditions)} order by p.posting_date asc, p.name asc limit 1",
		values,
	)
	return rows[0][0] if rows else None


# --- the daily job -----------------------------------------------------------------------------


def local_today():
	"""The site's today (System Settings time zone)."""
	from frappe.utils import get_system_timezone

	return site_today(datetime.now(timezone.utc), get_system_timezone())


def _due_filters(today, rules: list[str]) -> list:
	return [
		["status", "=", "Scheduled"],
		["due_date", "<=", getdate(today)],
		["rule", "in", rules or [""]],
	]


def run_daily(today=None) -> dict[str, int]:
	"""scheduler_events daily_long. Small volumes are worked here; large ones are split into
	chunks on the long queue (each chunk well inside the queue's timeout)."""
	today = getdate(today or local_today())
	rules = [r.name for r in enabled_rules()]
	if not rules:
		return {}
	names = frappe.get_all(
		"Planned Contact", filters=_due_filters(today, rules), pluck="name", order_by="name asc"
	)
	if len(names) <= CHUNK or frappe.flags.in_test:
		return process_due(today) if names else {}
	for start in range(0, len(names), CHUNK):
		first, last = names[start], names[min(start + CHUNK, len(names)) - 1]
		frappe.enqueue(
			"funnel_suite.funnel_repeat_sales.planner.process_due",
			queue="long",
			job_id=f"funnel_repeat_sales:{today}:{first}",
			deduplicate=True,
			today=str(today),
			first=first,
			last=last,
		)
	return {"enqueued": len(names)}


def process_due(
	today=None, first: str | None = None, last: str | None = None, batch_size: int = BATCH
) -> dict[str, int]:
	"""Work the due contacts (optionally those named first..last) in batches, one commit per batch.
	A batch's rows are read and locked in one query (a concurrent run waits, then finds them no
	longer Scheduled), and what its contacts need is read once for the batch (DueBatch)."""
	today = getdate(today or local_today())
	rules = {r.name: r for r in enabled_rules()}
	counts = {"Done": 0, "Skipped": 0, "Failed": 0}
	after = None
	while True:
		conditions = ["status = 'Scheduled'", "due_date <= %(today)s", "rule in %(rules)s"]
		values = {"today": today, "rules": tuple(rules) or ("",), "limit": batch_size}
		if after:
			conditions.append("name > %(after)s")
			values["after"] = after
		elif first:
			conditions.append("name >= %(first)s")
			values["first"] = first
		if last:
			conditions.append("name <= %(last)s")
			values["last"] = last
		# read and lock the batch in one statement: a concurrent run waits, then skips them
		rows = frappe.db.sql(
			f"""select {", ".join(f"`{f}`" for f in CONTACT_FIELDS)} from `tabPlanned Contact`
			where {" and ".join(conditions)} order by name asc limit %(limit)s for update""",
			values,
			as_dict=True,
		)
		if not rows:
			break
		work_batch(rows, rules, today, counts)
		frappe.db.commit()  # nosemgrep: scheduler job, one commit per batch
		after = rows[-1].name
		if len(rows) < batch_size:
			break
	return counts


CONTACT_FIELDS = [
	"name",
	"customer",
	"rule",
	"mode",
	"status",
	"due_date",
	"cycle_no",
	"cycle_anchor",
	"source_doctype",
	"source_name",
	"source_date",
]


def work_batch(rows: list, rules: dict, today, counts: dict[str, int]) -> None:
	"""One batch of due contacts, already locked: rules with the digest option are worked per
	account owner (funnel_suite.funnel_repeat_sales.digest), the others contact by contact."""
	from funnel_suite.funnel_repeat_sales.batch import DueBatch
	from funnel_suite.funnel_repeat_sales.digest import work_digest

	batch = DueBatch(rows, rules)
	by_digest_rule: dict[str, list] = {}
	for contact in rows:
		rule = rules[contact.rule]
		if cint(rule.get("digest")) and (cint(rule.create_event) or cint(rule.create_todo)):
			by_digest_rule.setdefault(rule.name, []).append(contact)
			continue
		status = _work_one(contact, rule, today, batch)
		if status:
			counts[status] += 1
	for rule_name, contacts in by_digest_rule.items():
		rule = rules[rule_name]
		for status, n in work_digest(contacts, rule, today, batch).items():
			counts[status] += n
		for contact in contacts:
			if contact.mode == CYCLIC and contact.status == "Scheduled":
				schedule_next_isolated(contact, rule, today)


def work_contact(contact, rule, today) -> str | None:
	"""One due contact on its own (locked and re-checked here), isolated like in a batch."""
	status = frappe.db.get_value("Planned Contact", contact.name, "status", for_update=True)
	if status != "Scheduled":
		return None  # another run got there first
	contact = frappe._dict(contact, status=status)
	counts = {"Done": 0, "Skipped": 0, "Failed": 0}
	work_batch([contact], {rule.name: rule}, getdate(today), counts)
	return next((s for s, n in counts.items() if n), None)


def _work_one(contact, rule, today, batch) -> str | None:
	"""One due contact of a batch, isolated: a failure rolls back this customer's work only."""
	if contact.status != "Scheduled":
		return None
	frappe.db.savepoint("funnel_repeat_daily")
	try:
		result = _work(contact, rule, today, batch)
	except Exception as err:
		frappe.db.rollback(save_point="funnel_repeat_daily")
		fail_contact(contact, err)
		result = "Failed"
	if contact.mode == CYCLIC:
		schedule_next_isolated(contact, rule, today)
	return result


def schedule_next_isolated(contact, rule, today) -> None:
	frappe.db.savepoint("funnel_repeat_next")
	try:
		_schedule_next(contact, rule, today)
	except Exception:
		frappe.db.rollback(save_point="funnel_repeat_next")
		frappe.log_error(
			title=_("Repeat sale contact failed for customer {0}").format(contact.customer),
			reference_doctype="Customer",
			reference_name=contact.customer,
		)


def _work(contact, rule, today, batch) -> str:
	reason = skip_reason(contact, rule, batch)
	if reason:
		_close(contact.name, "Skipped", reason)
		return "Skipped"
	customer = batch.customer(contact.customer)
	owner = batch.account_owner(rule, customer, contact)
	text = _describe(rule, customer, contact)
	made = {}
	if cint(rule.create_event):
		made["created_event"] = _make_event(rule, customer, contact, owner, text)
	if cint(rule.create_todo):
		users = (batch.role_users(rule.assign_to_role) if rule.assign_to_role else []) or [owner]
		made["created_todo"] = _make_todos(rule, customer, contact, users, text)
	if cint(rule.create_opportunity):
		made["created_opportunity"] = _make_opportunity(rule, customer, contact, owner, batch)
	frappe.db.set_value(
		"Planned Contact", contact.name, {"status": "Done", "done_on": now_datetime(), "reason": "", **made}
	)
	return "Done"


def _schedule_next(contact, rule, today) -> str | None:
	anchor = getdate(contact.cycle_anchor or contact.source_date)
	k, due = next_occurrence_after(
		anchor, cint(rule.interval), rule.interval_unit, max(getdate(today), getdate(contact.due_date))
	)
	k = max(k, cint(contact.cycle_no) + 1)
	due = occurrence(anchor, k, cint(rule.interval), rule.interval_unit)
	return _insert_contact(
		rule,
		contact.customer,
		CYCLIC,
		due,
		contact.source_doctype,
		contact.source_name,
		contact.source_date,
		key=contact_key(rule.name, contact.customer, CYCLIC, contact.source_doctype, contact.source_name, k),
		cycle_no=k,
		cycle_anchor=anchor,
	)


def _enabled_user(user: str | None) -> str | None:
	if user and user not in ("Guest",) and frappe.db.get_value("User", user, "enabled"):
		return user
	return None


def account_owner(rule, customer, contact) -> str:
	"""The customer's Account Manager, else the rule's Fallback User, else who submitted the
	document that caused the contact."""
	return (
		_enabled_user(customer.account_manager)
		or _enabled_user(rule.fallback_user)
		or _enabled_user(frappe.db.get_value(contact.source_doctype, contact.source_name, "owner"))
		or "Administrator"
	)


def _describe(rule, customer, contact) -> str:
	if contact.mode == CYCLIC:
		text = _(
			"Planned contact no. {0} with {1} (repeat-sale rule {2}, cycle started by {3} on {4})."
		).format(
			cint(contact.cycle_no),
			customer.customer_name or customer.name,
			rule.name,
			contact.source_name,
			format_date(contact.cycle_anchor or contact.source_date),
		)
	else:
		text = _(
			"{0} bought on {1} ({2}) and has not bought again: offer a repeat sale (repeat-sale rule {3})."
		).format(
			customer.customer_name or customer.name,
			format_date(contact.source_date),
			contact.source_name,
			rule.name,
		)
	return text + ("\n" + rule.note if rule.note else "")


def _subject(customer) -> str:
	return _("Repeat sale: contact {0}").format(customer.customer_name or customer.name)


def _make_event(rule, customer, contact, owner: str, text: str) -> str:
	event = frappe.get_doc(
		{
			"doctype": "Event",
			"subject": _subject(customer),
			"event_category": "Call",
			"event_type": "Private",
			"starts_on": get_datetime(f"{getdate(contact.due_date)} 09:00:00"),
			"ends_on": get_datetime(f"{getdate(contact.due_date)} 09:30:00"),
			"description": text,
			"event_participants": [{"reference_doctype": "Customer", "reference_docname": customer.name}],
		}
	)
	insert_as(event, owner)
	return event.name


def _make_todos(rule, customer, contact, users: list[str], text: str) -> str:
	first = None
	for user in users:
		todo = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": user,
				"description": text,
				"reference_type": "Customer",
				"reference_name": customer.name,
				"date": getdate(contact.due_date),
				"assigned_by": "Administrator",
			}
		)
		# the rule's action: users come from the rule's role or the account owner, never a request
		todo.insert(ignore_permissions=True)
		first = first or todo.name
	return first


def on_card_deleted(doc, log: list[dict]) -> None:
	"""Hook `funnel_on_card_delete`: planned contacts belong to the customer and the rule, not to a
	deal, so a deleted deal takes none of them along; the ones that opened or moved it only lose
	the link (a link to a deleted record would block the delete and then point nowhere)."""
	if doc.doctype != "Opportunity":
		return
	for field in ("created_opportunity", "moved_opportunity"):
		frappe.db.set_value("Planned Contact", {field: doc.name}, field, None, update_modified=False)
