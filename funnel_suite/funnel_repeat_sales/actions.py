"""The pieces of the repeat-sales daily job that the normal mode (planner), the batch reads
(batch) and the digest mode (digest) share: kept below all three so none imports another."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, now_datetime
from frappe.utils.nestedset import get_descendants_of

from funnel_suite.engine.repeat import ONE_OFF
from funnel_suite.funnels.owned import app_writes
from funnel_suite.funnels.sanitize import sanitized


def _item_groups(root: str) -> list[str]:
	return [root, *get_descendants_of("Item Group", root, ignore_permissions=True)]


def _customer(name: str):
	return frappe._dict(
		frappe.db.get_value(
			"Customer",
			name,
			["name", "customer_name", "customer_group", "territory", "account_manager", "lead_name"],
			as_dict=True,
		)
		or {}
	)


def fail_contact(contact, err: Exception) -> None:
	"""Log a contact's failure naming the customer, and mark the contact Failed with the reason."""
	frappe.log_error(
		title=_("Repeat sale contact failed for customer {0}").format(contact.customer),
		reference_doctype="Customer",
		reference_name=contact.customer,
	)
	# an error text may quote what someone typed: sanitized as the Small Text field would be
	frappe.db.set_value(
		"Planned Contact",
		contact.name,
		sanitized("Planned Contact", {"status": "Failed", "reason": f"{type(err).__name__}: {err}"[:1000]}),
	)


def skip_reason(contact, rule, batch) -> str | None:
	"""Why a due One-off contact is not worked: its document was cancelled, or the customer
	bought again since (None: work it)."""
	if contact.mode != ONE_OFF:
		return None
	if not batch.is_submitted(contact):
		return _("{0} {1} was cancelled").format(_(contact.source_doctype), contact.source_name)
	newer = batch.newer_purchase(contact)
	if newer:
		return _("Customer bought again on {0} ({1})").format(format_date(newer[1]), newer[0])
	return None


def _close(name: str, status: str, reason: str) -> None:
	frappe.db.set_value(
		"Planned Contact",
		name,
		{**sanitized("Planned Contact", {"status": status, "reason": reason}), "done_on": now_datetime()},
	)


def insert_as(doc, owner: str) -> None:
	"""Insert a host document the rule creates for the account owner, as the owner: the Event is
	theirs (it shows in their calendar, its timeline Communication is sent by them) without a
	second UPDATE of its owner. The session's user comes back afterwards."""
	user = frappe.session.user
	frappe.session.user = owner
	try:
		# the rule's action, for the account owner (the job runs as the scheduler, not as them)
		doc.insert(ignore_permissions=True)
	finally:
		frappe.session.user = user


def _role_users(role: str) -> list[str]:
	users = frappe.get_all(
		"Has Role", filters={"role": role, "parenttype": "User"}, pluck="parent", distinct=True
	)
	return sorted(
		u
		for u in users
		if u not in ("Administrator", "Guest") and frappe.db.get_value("User", u, ["enabled"]) == 1
	)


def _make_opportunity(rule, customer, contact, owner: str, batch=None) -> str:
	from funnel_suite.funnels.card import load_funnel

	funnel = load_funnel(rule.opportunity_funnel)
	source = batch.source(contact) if batch else None
	company = (
		source.company
		if source
		else frappe.db.get_value(contact.source_doctype, contact.source_name, "company")
	)
	opp = frappe.new_doc("Opportunity")
	opp.opportunity_from = "Customer"
	opp.party_name = customer.name
	opp.company = company or frappe.defaults.get_defaults().get("company")
	opp.opportunity_owner = owner
	opp.funnel = funnel.name
	opp.funnel_stage = funnel.entry_stage.name if funnel.entry_stage else None
	opp.funnel_source_doctype = contact.source_doctype
	opp.funnel_source_name = contact.source_name
	# the rule acts with the app's rights: funnel and entry stage from the rule, party and company
	# from the customer and the submitted document; the card's own validation still runs
	opp.flags.ignore_permissions = True
	with app_writes():  # the lineage to the invoice / delivery note is the app's to write
		opp.insert()
	return opp.name
