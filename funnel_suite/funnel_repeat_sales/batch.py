"""What the daily job reads once per batch of due contacts instead of once per contact.

The job used to read, for every due contact, its row again (locked), the source document's
docstatus, the customer's newer purchases, the customer, the account owner's User row (and the
submitter's), and the users of the rule's ToDo role. A DueBatch reads each of these once for the
whole batch (a handful of queries per 500 contacts); the per-contact work then only writes.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe.utils import getdate

from funnel_suite.engine.repeat import ONE_OFF
from funnel_suite.funnel_repeat_sales.actions import _customer, _item_groups, _role_users

CUSTOMER_FIELDS = ["name", "customer_name", "customer_group", "territory", "account_manager", "lead_name"]


class DueBatch:
	def __init__(self, contacts: list, rules: dict):
		self.rules = rules
		self.customers = _by_name("Customer", {c.customer for c in contacts}, CUSTOMER_FIELDS)
		self.sources: dict[tuple[str, str], frappe._dict] = {}
		by_type: dict[str, set[str]] = defaultdict(set)
		for c in contacts:
			if c.source_doctype and c.source_name:
				by_type[c.source_doctype].add(c.source_name)
		for doctype, names in by_type.items():
			for name, row in _by_name(doctype, names, ["name", "docstatus", "owner", "company"]).items():
				self.sources[(doctype, name)] = row
		self.newer = _newer_purchases([c for c in contacts if c.mode == ONE_OFF], rules)
		candidates = {c.account_manager for c in self.customers.values()}
		candidates |= {r.fallback_user for r in rules.values()}
		candidates |= {s.owner for s in self.sources.values()}
		candidates = {u for u in candidates if u and u != "Guest"}
		self.enabled_users = (
			set(frappe.get_all("User", filters={"name": ("in", candidates), "enabled": 1}, pluck="name"))
			if candidates
			else set()
		)
		self._role_users: dict[str, list[str]] = {}

	def customer(self, name: str):
		row = self.customers.get(name)
		if row is None:  # not in the batch's read (deleted meanwhile): read it alone
			row = _customer(name)
		return row

	def source(self, contact):
		return self.sources.get((contact.source_doctype, contact.source_name))

	def is_submitted(self, contact) -> bool:
		source = self.source(contact)
		return bool(source and source.docstatus == 1)

	def newer_purchase(self, contact) -> tuple[str, object] | None:
		"""The first qualifying purchase of the contact's customer after its source date, as
		(name, posting date), like planner.first_qualifying(rule, customer, after=source_date)."""
		after = getdate(contact.source_date) if contact.source_date else None
		for name, posted in self.newer.get((contact.rule, contact.customer), ()):
			if after is None or posted > after:
				return name, posted
		return None

	def enabled(self, user: str | None) -> str | None:
		return user if user and user in self.enabled_users else None

	def account_owner(self, rule, customer, contact) -> str:
		"""planner.account_owner from the batch's reads: the Account Manager, else the rule's
		Fallback User, else who submitted the source document, else Administrator."""
		source = self.source(contact)
		return (
			self.enabled(customer.account_manager)
			or self.enabled(rule.fallback_user)
			or self.enabled(source.owner if source else None)
			or "Administrator"
		)

	def role_users(self, role: str) -> list[str]:
		if role not in self._role_users:
			self._role_users[role] = _role_users(role)
		return self._role_users[role]


def _by_name(doctype: str, names: set[str], fields: list[str]) -> dict[str, frappe._dict]:
	if not names:
		return {}
	rows = frappe.get_all(doctype, filters={"name": ("in", sorted(names))}, fields=fields)
	return {r.name: r for r in rows}


def _newer_purchases(contacts: list, rules: dict) -> dict[tuple[str, str], list]:
	"""(rule, customer) -> [(name, posting_date)] of the submitted, non-return documents of the
	rule's type posted after the earliest source date among the batch's contacts of that rule
	(with an item of the rule's item group if it has one), in posting order: one query per rule."""
	found: dict[tuple[str, str], list] = defaultdict(list)
	by_rule: dict[str, list] = defaultdict(list)
	for c in contacts:
		by_rule[c.rule].append(c)
	for rule_name, rows in by_rule.items():
		rule = rules[rule_name]
		doctype = rule.trigger_doctype
		dates = [getdate(c.source_date) for c in rows if c.source_date]
		conditions = ["p.customer in %(customers)s", "p.docstatus = 1", "ifnull(p.is_return, 0) = 0"]
		values = {"customers": tuple(sorted({c.customer for c in rows}))}
		if dates and len(dates) == len(rows):
			conditions.append("p.posting_date > %(after)s")
			values["after"] = min(dates)
		if rule.item_group:
			conditions.append(
				f"exists (select 1 from `tab{doctype} Item` i where i.parent = p.name and i.parenttype = %(doctype)s and i.item_group in %(groups)s)"
			)
			values["doctype"] = doctype
			values["groups"] = tuple(_item_groups(rule.item_group))
		for customer, name, posted in frappe.db.sql(
			f"select p.customer, p.name, p.posting_date from `tab{doctype}` p where {' and '.join(conditions)} order by p.posting_date asc, p.name asc",
			values,
		):
			found[(rule_name, customer)].append((name, getdate(posted)))
	return found
