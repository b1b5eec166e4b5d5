"""One door for every inbound contact (`funnel_suite.api.intake`).

The engine normalizes the inquiry and decides; this module locks the inquiry's keys (two
requests for the same person wait for each other, so the second finds the Lead the first
made), looks the keys up in the Funnel Contact Key table, and acts:

- unknown → a new Lead in the default Lead funnel's entry stage;
- an open Lead → the inquiry goes on its timeline and its owner is notified;
- a Customer (or a Contact of one) → a new Opportunity (a deal is an inquiry) for it;
- a Contact without customer → the inquiry goes on its timeline;
- an archived Lead → reopened in the entry stage, marked returning, history kept.

The same `external_id` again returns the record the first call gave, and changes nothing.

Who may call it and what it may do (issue 17): the caller has the role Funnel Intake (the
service role of integrations: it reads and creates Leads, reads Contacts and Customers, opens
deals) or may create Leads. Either way the intake acts with the caller's own rights, never
beyond them: it writes on a known Lead or Contact only if the caller may read it, reopens an
archived Lead only if the caller may change it, opens a deal only if the caller may read the
customer and create Opportunities, and what it creates belongs to the caller's company (user
default or User Permission on Company). When the caller may not act on the record the inquiry
belongs to, the record's owner is told (a notification with the message) and nothing is written
on the record. The answer names a record only to a caller who may read it; otherwise it is the
neutral {"status": "received"}, so the intake is no lookup oracle for emails and phones.
"""

from __future__ import annotations

import dataclasses
import hashlib

import frappe
from frappe import _
from frappe.utils import escape_html

from funnel_suite.engine import intake as engine
from funnel_suite.funnel_qualification.keys import default_region
from funnel_suite.funnels.card import load_funnel
from funnel_suite.funnels.owned import app_writes
from funnel_suite.funnels.sanitize import sanitized_value

LOCK_TIMEOUT = 15
INTAKE_ROLE = "Funnel Intake"


class IntakeBusyError(frappe.ValidationError):
	pass


def _lock(keys: list[tuple[str, str]]) -> None:
	"""MariaDB named locks on the inquiry's keys, held until the transaction ends.

	One statement takes them all, in name order (MariaDB evaluates the select list left to right,
	so two intakes sharing keys take them in the same order); one statement releases them."""
	names = sorted({"fs_intake_" + hashlib.sha1(f"{t}:{v}".encode()).hexdigest()[:40] for t, v in keys})
	if not names:
		return
	got = frappe.db.sql(
		"select " + ", ".join(["get_lock(%s, %s)"] * len(names)),
		[value for name in names for value in (name, LOCK_TIMEOUT)],
	)[0]

	def release():
		frappe.db.sql("select " + ", ".join(["release_lock(%s)"] * len(names)), names)

	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)
	if not all(got):
		frappe.throw(
			_("The same contact is being taken in right now; try again in a moment."), exc=IntakeBusyError
		)


def _lookup(keys: list[tuple[str, str]]) -> list:
	"""The key rows of the inquiry's keys, in one read. A locking read: it sees what a parallel
	intake committed while this one waited for the key lock (a plain read would see the
	transaction's old snapshot)."""
	if not keys:
		return []
	return frappe.db.sql(
		"""select key_type, reference_doctype, reference_name, archived, customer
		from `tabFunnel Contact Key` where """
		+ " or ".join(["(key_type = %s and key_value = %s)"] * len(keys))
		+ " for update",
		[value for key in keys for value in key],
		as_dict=True,
	)


def _message(inquiry: engine.Inquiry, norm: engine.NormalizedInquiry) -> str:
	lines = [
		(_("Channel"), inquiry.channel),
		(_("Source"), inquiry.source),
		(_("Campaign"), inquiry.campaign),
		(_("Name"), norm.person_name),
		(_("Organization"), norm.company_name),
		(_("Email"), norm.email),
		(_("Phone"), norm.phone.raw if norm.phone else None),
		(_("Need"), inquiry.need),
		(_("Message"), inquiry.text),
	]
	body = "<br>".join(f"<b>{label}</b>: {escape_html(value)}" for label, value in lines if value)
	return _("New inquiry") + "<br>" + body


def describe_error(err: engine.IntakeError) -> str:
	if isinstance(err, engine.MissingContactData):
		return _("An inquiry needs an email, a phone or a name (person or company); none was given.")
	if isinstance(err, engine.InvalidEmail):
		return _("{0} is not a valid email address (example: name@example.com).").format(
			frappe.bold(err.value)
		)
	if isinstance(err, engine.InvalidPhone):
		return _(
			"{0} is not a phone number we can read; give it with the country code (example: +380 67 123 4567) or add an email."
		).format(frappe.bold(err.value))
	return str(err)


def check_caller() -> None:
	"""The intake's door: its service role, or a person who may create Leads."""
	if INTAKE_ROLE not in frappe.get_roles():
		frappe.has_permission("Lead", "create", throw=True)


def caller_company() -> str | None:
	"""The company what the caller creates belongs to: their default company (which honours their
	User Permissions on Company), else the first company they are limited to, else the site's."""
	company = frappe.defaults.get_user_default("Company")
	if company:
		return company
	allowed = frappe.permissions.get_user_permissions(frappe.session.user).get("Company") or []
	allowed = sorted(allowed, key=lambda p: not p.get("is_default"))
	return allowed[0]["doc"] if allowed else frappe.db.get_single_value("Global Defaults", "default_company")


def _may(ptype: str, doctype: str, name: str | None = None) -> bool:
	return bool(frappe.has_permission(doctype, ptype, doc=name))


def take_in(inquiry: engine.Inquiry) -> dict:
	# the external id is stored with db.set_value and a bulk insert (no Document.save()): sanitized
	# here as the Lead's Data field would be, before the lookup, so the same id finds the same record
	inquiry = dataclasses.replace(
		inquiry,
		external_id=sanitized_value("Lead", "funnel_external_id", inquiry.external_id),
		channel=engine.normalize_channel(inquiry.channel, engine.CHANNEL_API),
	)
	try:
		norm = engine.validate_inquiry(inquiry, default_region())
	except engine.IntakeError as err:
		frappe.throw(describe_error(err), title=_("Invalid Inquiry"))
	return take_in_normalized(inquiry, norm)


def take_in_normalized(
	inquiry: engine.Inquiry, norm: engine.NormalizedInquiry, reuse_open_deal: bool = False
) -> dict:
	"""Match and act (see the module docstring). `reuse_open_deal` (conversations: e-mail,
	Telegram): a customer's message goes on their open deal in the default Opportunity funnel
	when there is one, instead of opening a new deal for every message."""
	keys = norm.keys()
	_lock(keys)
	rows = _lookup(keys)

	# the same external id again: the record the first call gave, unchanged
	for row in rows:
		if row.key_type == engine.KEY_EXTERNAL_ID:
			return _answer(
				engine.OUTCOME_EXISTING, row.reference_doctype, row.reference_name, engine.KEY_EXTERNAL_ID
			)

	decision = engine.decide(
		[
			engine.Match(r.reference_doctype, r.reference_name, r.key_type, bool(r.archived), r.customer)
			for r in rows
			if r.reference_doctype in engine.DOCTYPES
		]
	)
	created = None
	if decision.outcome == engine.OUTCOME_CREATED:
		created = _new_lead(inquiry, norm)
		doctype, name = "Lead", created.name
	elif decision.outcome == engine.OUTCOME_RETURNING:
		if not _may("write", "Lead", decision.name):
			return _hand_over("Lead", decision.name, inquiry, norm)
		doctype, name = "Lead", _reopen(decision.name, inquiry, norm)
	elif decision.doctype == engine.DOCTYPE_CUSTOMER:
		if not (_may("read", "Customer", decision.customer) and _may("create", "Opportunity")):
			return _hand_over("Customer", decision.customer, inquiry, norm)
		doctype, name = "Opportunity", reuse_open_deal and open_deal(decision.customer)
		if name:
			_note(doctype, name, inquiry, norm)
		else:
			name = _new_deal(decision.customer, inquiry, norm)
	else:
		doctype, name = decision.doctype, decision.name
		if not _may("read", doctype, name):
			return _hand_over(doctype, name, inquiry, norm)
		_note(doctype, name, inquiry, norm)
	if norm.external_id:
		_remember(norm.external_id, doctype, name)
	return _answer(decision.outcome, doctype, name, decision.matched_by, doc=created)


def _answer(status, doctype, name, matched_by, doc=None) -> dict:
	"""The record is named only to a caller who may read it (`doc`: the record, when it is at hand:
	the permission check then need not load it again)."""
	if name and frappe.has_permission(doctype, "read", doc=doc or name):
		return _result(status, doctype, name, matched_by)
	return _result(engine.OUTCOME_RECEIVED, None, None, None)


def _result(status, doctype, name, matched_by) -> dict:
	return {"status": status, "doctype": doctype, "name": name, "matched_by": matched_by}


def _remember(external_id: str, doctype: str, name: str) -> None:
	if doctype == "Lead":
		frappe.db.set_value("Lead", name, "funnel_external_id", external_id, update_modified=False)
	frappe.db.bulk_insert(
		"Funnel Contact Key",
		fields=["name", "key_type", "key_value", "reference_doctype", "reference_name"],
		values=[(frappe.generate_hash(length=12), engine.KEY_EXTERNAL_ID, external_id[:140], doctype, name)],
		ignore_duplicates=True,
	)


def open_deal(customer: str) -> str | None:
	"""The customer's newest deal in the default Opportunity funnel that the caller may read and
	that is not in a final (won or lost) stage."""
	from funnel_suite.funnels.definitions import default_funnel

	funnel = default_funnel("Opportunity")
	if not funnel:
		return None
	final = {s.name for s in load_funnel(funnel).stages if s.is_final}
	deals = frappe.get_list(
		"Opportunity",
		filters={"opportunity_from": "Customer", "party_name": customer, "funnel": funnel},
		fields=["name", "funnel_stage"],
		order_by="creation desc",
		limit_page_length=50,
	)
	return next((d.name for d in deals if d.funnel_stage not in final), None)


def _new_lead(inquiry: engine.Inquiry, norm: engine.NormalizedInquiry):
	"""The new Lead (the document)."""
	person = (
		norm.person_name
		or norm.company_name
		or norm.email
		or (norm.phone.raw if norm.phone else None)
		or _("Telegram {0}").format(norm.telegram_chat_id)
	)
	lead = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": person,
			"company_name": norm.company_name,
			"company": caller_company(),
			"email_id": norm.email,
			"mobile_no": norm.phone.e164 if norm.phone else None,
			"funnel_phone_as_given": norm.phone.raw if norm.phone and not norm.phone.e164 else None,
			"source": inquiry.source
			if inquiry.source and frappe.db.exists("Lead Source", inquiry.source)
			else None,
			"campaign_name": inquiry.campaign
			if inquiry.campaign and frappe.db.exists("Campaign", inquiry.campaign)
			else None,
			"funnel_need": inquiry.need,
			"funnel_utm_source": inquiry.utm_source,
			"funnel_utm_medium": inquiry.utm_medium,
			"funnel_utm_campaign": inquiry.utm_campaign,
			"funnel_channel": inquiry.channel,
			"telegram_chat_id": norm.telegram_chat_id,
		}
	)
	with app_writes():  # the phone as given and the channel are the intake's to write
		lead.insert()
	lead.add_comment("Comment", _message(inquiry, norm))
	if norm.phone_flagged:
		lead.add_comment(
			"Comment",
			_("The phone {0} could not be read as a number; it is stored as given. Please check it.").format(
				frappe.bold(norm.phone.raw)
			),
		)
	return lead


def _note(doctype: str, name: str, inquiry, norm) -> None:
	"""The inquiry on a known card's timeline, and its owner told.

	Reads the card with a locking read: a parallel intake may have created it a moment ago, after
	this transaction's snapshot was taken.
	"""
	fields = ["owner", "lead_owner", "lead_name"] if doctype == "Lead" else ["owner"]
	card = frappe.db.get_value(doctype, name, fields, as_dict=True, for_update=True)
	comment = frappe.get_doc(
		{
			"doctype": "Comment",
			"comment_type": "Comment",
			"reference_doctype": doctype,
			"reference_name": name,
			"content": _message(inquiry, norm),
		}
	)
	comment.flags.ignore_links = True  # the card exists: the locking read above found it
	comment.insert(ignore_permissions=True)
	if doctype == "Lead":
		from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

		make_notification_logs(
			frappe._dict(
				type="Alert",
				document_type="Lead",
				document_name=name,
				subject=_("{0} sent a new inquiry").format(frappe.bold(card.lead_name or name)),
				from_user=frappe.session.user,
			),
			[card.lead_owner or card.owner],
		)


def _reopen(name: str, inquiry, norm) -> str:
	lead = frappe.get_doc("Lead", name)
	lead.funnel_archived = 0
	lead.funnel_returning = 1
	lead.qualification_status = "Unqualified"
	if lead.get("funnel"):
		lead.funnel_stage = load_funnel(lead.funnel).entry_stage.name
		lead.flags.funnel_move_comment = _("Returned with a new inquiry")
	# the caller's write permission on this lead was checked before; the flags are the app's own
	# fields (archived, returning), which no user sets by hand
	lead.flags.ignore_permissions = True
	with app_writes():
		lead.save()
	lead.add_comment("Comment", _message(inquiry, norm))
	return lead.name


def _new_deal(customer: str, inquiry, norm) -> str:
	"""A deal in the caller's company, created with the caller's own rights (read on the customer
	was checked before; the insert checks create on Opportunity and the user permissions)."""
	deal = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": customer,
			"company": caller_company(),
			"source": inquiry.source
			if inquiry.source and frappe.db.exists("Lead Source", inquiry.source)
			else None,
			"contact_email": norm.email,
		}
	)
	deal.insert()
	deal.add_comment("Comment", _message(inquiry, norm))
	return deal.name


OWNER_FIELDS = {
	"Lead": ("lead_owner", "owner"),
	"Customer": ("account_manager", "owner"),
	"Contact": ("owner",),
}


def _hand_over(doctype: str, name: str, inquiry, norm) -> dict:
	"""The inquiry belongs to a record the caller may not act on: its owner is told, with the
	message, and nothing is written on the record. The answer names nothing."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	fields = OWNER_FIELDS.get(doctype, ("owner",))
	values = frappe.db.get_value(doctype, name, fields, as_dict=True) or {}
	owner = next((values.get(f) for f in fields if values.get(f)), None)
	if owner and owner != "Guest":
		make_notification_logs(
			frappe._dict(
				type="Alert",
				document_type=doctype,
				document_name=name,
				subject=_("New inquiry for {0}, taken in by {1}").format(
					frappe.bold(name), frappe.bold(frappe.utils.get_fullname(frappe.session.user))
				),
				email_content=_message(inquiry, norm),
				from_user=frappe.session.user,
			),
			[owner],
		)
	return _result(engine.OUTCOME_RECEIVED, None, None, None)
