"""The intake's key table (Funnel Contact Key), kept in step with Leads and Contacts.

Every Lead and Contact gets one row per normalized email, phone (E.164), Telegram chat id and
external id; a
Contact carries the customer it is linked to, so customers are found through their contacts.
Rows are rewritten when the document is saved and removed when it is deleted (they are an
index the app derives, not data a user entered). A unique index keeps one row per key and
document; lookups use its (key_type, key_value) prefix.
"""

from __future__ import annotations

from collections.abc import Iterable

import frappe
from frappe import _
from frappe.utils import now_datetime

from funnel_suite.engine.intake import (
	KEY_EMAIL,
	KEY_EXTERNAL_ID,
	KEY_PHONE,
	KEY_TELEGRAM,
	InvalidEmail,
	normalize_email,
	normalize_phone,
	normalize_telegram_chat_id,
)
from funnel_suite.funnels.sanitize import sanitized_value

LEAD_PHONE_FIELDS = ("mobile_no", "phone", "whatsapp_no")
BATCH = 5000


def default_region() -> str | None:
	"""Funnel Settings' phone region, else the default company's country (ISO code)."""
	region = frappe.db.get_single_value("Funnel Settings", "default_phone_region")
	if region:
		return region.strip().upper()
	company = frappe.defaults.get_global_default("company")
	country = company and frappe.get_cached_value("Company", company, "country")
	code = country and frappe.get_cached_value("Country", country, "code")
	return code.upper() if code else None


def _email_key(value) -> tuple[str, str] | None:
	try:
		email = normalize_email(value)
	except InvalidEmail:
		return None
	return (KEY_EMAIL, email) if email else None


def _phone_key(value, region) -> tuple[str, str] | None:
	phone = normalize_phone(value, region)
	return (KEY_PHONE, phone.e164) if phone and phone.e164 else None


def _telegram_key(value) -> tuple[str, str] | None:
	chat_id = normalize_telegram_chat_id(value)
	return (KEY_TELEGRAM, chat_id) if chat_id else None


def lead_keys(lead, region=None) -> set[tuple[str, str]]:
	region = region if region is not None else default_region()
	keys = {_email_key(lead.get("email_id")), _telegram_key(lead.get("telegram_chat_id"))}
	keys |= {_phone_key(lead.get(f), region) for f in LEAD_PHONE_FIELDS}
	if lead.get("funnel_external_id"):
		keys.add((KEY_EXTERNAL_ID, lead.funnel_external_id.strip()))
	return {k for k in keys if k}


def contact_keys(contact, region=None) -> set[tuple[str, str]]:
	region = region if region is not None else default_region()
	keys = {_email_key(row.email_id) for row in contact.get("email_ids") or []}
	keys |= {_phone_key(row.phone, region) for row in contact.get("phone_nos") or []}
	keys.add(_telegram_key(contact.get("telegram_chat_id")))
	return {k for k in keys if k}


def contact_customer(contact) -> str | None:
	return next((l.link_name for l in contact.get("links") or [] if l.link_doctype == "Customer"), None)


def write_keys(doctype: str, name: str, keys: Iterable[tuple[str, str]], archived=0, customer=None) -> None:
	frappe.db.delete("Funnel Contact Key", {"reference_doctype": doctype, "reference_name": name})
	# a bulk insert skips Document.save(): key values are sanitized as the Data field would be
	rows = [
		(
			frappe.generate_hash(length=12),
			key_type,
			sanitized_value("Funnel Contact Key", "key_value", key_value)[:140],
			doctype,
			name,
			archived,
			customer,
		)
		for key_type, key_value in sorted(set(keys))
	]
	if rows:
		now = now_datetime()
		frappe.db.bulk_insert(
			"Funnel Contact Key",
			fields=[
				"name",
				"key_type",
				"key_value",
				"reference_doctype",
				"reference_name",
				"archived",
				"customer",
				"creation",
				"modified",
			],
			values=[(*row, now, now) for row in rows],
			ignore_duplicates=True,
		)


def sync_lead(doc, method=None) -> None:
	write_keys("Lead", doc.name, lead_keys(doc), archived=int(bool(doc.get("funnel_archived"))))


def _lead_only(contact) -> bool:
	"""ERPNext makes a Contact for each Lead; until it belongs to a customer the Lead's own keys
	speak for it (so an archived lead is found as returning, not as a bare contact)."""
	links = {l.link_doctype for l in contact.get("links") or []}
	return "Lead" in links and "Customer" not in links


def sync_contact(doc, method=None) -> None:
	keys = set() if _lead_only(doc) else contact_keys(doc)
	write_keys("Contact", doc.name, keys, customer=contact_customer(doc))


def drop_keys(doc, method=None) -> None:
	frappe.db.delete("Funnel Contact Key", {"reference_doctype": doc.doctype, "reference_name": doc.name})


def backfill() -> dict[str, int]:
	"""(Re)build the key table for every Lead and Contact, in batches (install and patch)."""
	region = default_region()
	done = {"Lead": 0, "Contact": 0}
	for doctype, build in (("Lead", lead_keys), ("Contact", contact_keys)):
		start = 0
		while names := frappe.get_all(
			doctype, pluck="name", order_by="name asc", start=start, page_length=BATCH
		):
			for name in names:
				doc = frappe.get_doc(doctype, name)
				if doctype == "Lead":
					write_keys(
						"Lead", name, build(doc, region), archived=int(bool(doc.get("funnel_archived")))
					)
				else:
					keys = set() if _lead_only(doc) else build(doc, region)
					write_keys("Contact", name, keys, customer=contact_customer(doc))
			done[doctype] += len(names)
			start += BATCH
	return done


def refuse_import_duplicates(doc, method=None) -> None:
	"""Lead before_insert during Data Import: a cold list goes through the same matching as the
	intake, and a known person is reported as a duplicate (the row fails) instead of created."""
	if not frappe.flags.in_import:
		return
	own_contact = getattr(doc, "contact_doc", None)  # ERPNext made it for this very lead
	for key_type, value in sorted(lead_keys(doc)):
		found = frappe.db.get_value(
			"Funnel Contact Key",
			{
				"key_type": key_type,
				"key_value": value,
				"reference_name": ("!=", own_contact.name if own_contact else ""),
			},
			["reference_doctype", "reference_name"],
			as_dict=True,
		)
		if found:
			frappe.throw(
				_("Duplicate: {0} {1} already belongs to {2} {3}; the row was not imported.").format(
					_(key_type),
					frappe.bold(value),
					_(found.reference_doctype),
					frappe.bold(found.reference_name),
				),
				exc=frappe.DuplicateEntryError,
				title=_("Duplicate Lead"),
			)


def forget_person(doc, method=None) -> None:
	"""doc_events on_update of the host's Personal Data Deletion Request: while the host works the
	request (it saves the request before and after each of its steps), every key row of each Lead
	or Contact that carries the person's email goes — the email and that document's phones and
	external id with it. The host then anonymizes the documents with plain updates (no save), so
	nothing writes the keys back; a later save of such a document indexes its anonymized values."""
	if not doc.get("deletion_steps") or doc.get("status") not in ("Pending Approval", "Deleted"):
		return
	key = _email_key(doc.email)
	if not key:
		return
	owners = frappe.get_all(
		"Funnel Contact Key",
		filters={"key_type": key[0], "key_value": key[1]},
		fields=["reference_doctype", "reference_name"],
		distinct=True,
	)
	for owner in owners:
		frappe.db.delete(
			"Funnel Contact Key",
			{"reference_doctype": owner.reference_doctype, "reference_name": owner.reference_name},
		)
