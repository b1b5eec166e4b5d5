"""Incoming e-mail through the intake (issue 16).

The host receives mail in `EmailAccount.receive`: each message becomes an `InboundMail`, whose
`process` finds the document the mail belongs to (`reference_document`: the thread's parent
Email Queue or Communication, a record named in the subject, else a record of the account's
Append To doctype whose sender and subject match) and otherwise creates one
(`_create_reference_document`: a new Lead or Opportunity per unknown thread), then inserts the
Communication linked to it.

The app's Email Account class (hook `override_doctype_class`) hands out `FunnelInboundMail`
instead. For an account that appends to Lead or Opportunity, a message that is not a reply in a
known thread is matched by the intake before the host creates anything:

- a customer's contact → the customer's open deal in the default Opportunity funnel (or a new one);
- a known open Lead → that Lead; an archived Lead → reopened as returning;
- a Contact without customer → that Contact; an unknown sender → a new Lead in the entry stage.

The host then links the Communication to the intake's choice (reference and timeline). A reply
in a thread keeps the host's threading; mail from a system user (staff writing from their own
client) and every account appending to another doctype are left to the host; Funnel Settings,
"Match Incoming E-mail with the Intake", turns it all off.

The mail is received by the system (the host's scheduler job, as Administrator, inserting with
ignore_permissions): the intake acts as Administrator too, so it always names the record.
"""

from __future__ import annotations

import frappe
from frappe.email.doctype.email_account.email_account import EmailAccount
from frappe.email.receive import InboundMail
from frappe.utils import cint
from frappe.utils.user import is_system_user

from funnel_suite.engine import intake as engine
from funnel_suite.funnel_qualification import intake as intake_flow
from funnel_suite.funnel_qualification.keys import default_region

INTAKE_DOCTYPES = ("Lead", "Opportunity")
SYSTEM_USER = "Administrator"


def email_intake_enabled() -> bool:
	"""On unless a System Manager unticked it (a site that never saved the field has it on: the
	field's default, which get_single_value would read as 0)."""
	value = frappe.db.get_value(
		"Singles", {"doctype": "Funnel Settings", "field": "email_intake_enabled"}, "value", order_by=None
	)
	return value is None or bool(cint(value))


class FunnelEmailAccount(EmailAccount):
	"""Email Account (override_doctype_class): its inbound mails go through the intake."""

	def get_inbound_mails(self) -> list[InboundMail]:
		return [funnel_mail(mail) for mail in super().get_inbound_mails()]


def funnel_mail(mail: InboundMail) -> FunnelInboundMail:
	"""The same message (raw, account, uid, seen status, folder's Append To) as a FunnelInboundMail."""
	return FunnelInboundMail(mail.raw_message, mail.email_account, mail.uid, mail.seen_status, mail.append_to)


class FunnelInboundMail(InboundMail):
	def append_doctype(self) -> str | None:
		# as the host's _build_communication_doc picks it (an IMAP folder has its own Append To)
		return self.append_to if self.email_account.use_imap else self.email_account.append_to

	def uses_intake(self) -> bool:
		return (
			self.append_doctype() in INTAKE_DOCTYPES
			and email_intake_enabled()
			and not is_system_user(self.from_email)
		)

	def reference_document(self):
		if self._reference_document is not None:
			return self._reference_document
		if not self.uses_intake():
			return super().reference_document()
		found = self.thread_document() or take_in_mail(self)
		if not found:
			return super().reference_document()
		self._reference_document = found
		return found

	def thread_document(self):
		"""The host's threading, as `InboundMail.reference_document` does it: the reference of the
		parent Email Queue or Communication, a record named in the subject ("… (#CRM-LEAD-0001)"),
		the parent Communication of a reply to mail this site sent. Not the sender and subject
		match: that is what the intake does, by the sender's keys."""
		parent_queue, parent_communication = self.parent_email_queue(), self.parent_communication()
		parent = None
		if parent_queue and parent_queue.reference_doctype:
			parent = parent_queue
		elif parent_communication and parent_communication.reference_doctype:
			parent = parent_communication
		if parent:
			found = self.get_doc(parent.reference_doctype, parent.reference_name, ignore_error=True)
			if found:
				return found
		if "#" in (self.subject or ""):
			name = self.get_reference_name_from_subject()
			found = self.get_doc(self.append_doctype(), name, ignore_error=True) if name else None
			if found:
				return found
		if self.is_reply_to_system_sent_mail() and parent_communication:
			return parent_communication
		return None


def mail_inquiry(mail: InboundMail) -> engine.Inquiry:
	email = (mail.from_email or "").strip()
	name = (mail.from_real_name or "").strip()
	subject = (mail.subject or "").strip()
	return engine.Inquiry(
		person_name=engine.clean_name(name[:140]) if name and name.lower() != email.lower() else None,
		email=email,
		channel=engine.CHANNEL_EMAIL,
		need=subject[: engine.PUBLIC_FIELD_LIMITS["need"]] or None,
	)


def take_in_mail(mail: InboundMail):
	"""The intake's record for the mail's sender (a Document), or None to leave the mail to the
	host (a sender address the intake cannot read)."""
	inquiry = mail_inquiry(mail)
	try:
		norm = engine.validate_inquiry(inquiry, default_region())
	except engine.IntakeError:
		return None
	user = frappe.session.user
	if user != SYSTEM_USER:
		frappe.set_user(SYSTEM_USER)
	try:
		result = intake_flow.take_in_normalized(inquiry, norm, reuse_open_deal=True)
	finally:
		if user != SYSTEM_USER:
			frappe.set_user(user)
	if not result.get("name"):
		return None
	return frappe.get_doc(result["doctype"], result["name"])
