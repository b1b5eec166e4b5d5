"""Incoming e-mail through the intake (issue 16): raw RFC 822 messages go through the host's own
Email Account → InboundMail → process() code (the mail server is mocked: its get_messages hands
the raw messages over), one test per outcome, the host's threading, and the setting off."""

from __future__ import annotations

import email.utils
from email.message import EmailMessage
from unittest.mock import patch

import frappe

from funnel_suite.api import disqualify_lead, intake
from funnel_suite.funnel_qualification.inbound_mail import FunnelEmailAccount, FunnelInboundMail
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_user, unique

INBOX = "sales-inbox@funnel-inbound.example"


def address() -> str:
	return f"{frappe.generate_hash(length=10)}@mail.example"


def raw_mail(
	sender: str,
	subject: str,
	body: str = "Hello, we would like an offer.",
	name: str | None = None,
	in_reply_to: str | None = None,
) -> tuple[bytes, str]:
	"""An RFC 822 message and its Message-ID (without the angle brackets)."""
	message_id = f"{frappe.generate_hash(length=16)}@mail.example"
	mail = EmailMessage()
	mail["From"] = email.utils.formataddr((name or "", sender))
	mail["To"] = INBOX
	mail["Subject"] = subject
	mail["Date"] = email.utils.formatdate(localtime=True)
	mail["Message-ID"] = f"<{message_id}>"
	if in_reply_to:
		mail["In-Reply-To"] = f"<{in_reply_to}>"
	mail.set_content(body)
	return mail.as_bytes(), message_id


class TestInboundMail(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.account = unique("Funnel Inbound")
		frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": cls.account,
				"email_id": INBOX,
				"email_server": "pop.funnel-inbound.example",
				"password": "not-used",
				"enable_incoming": 1,
				"use_imap": 0,
				"append_to": "Lead",
			}
		).insert(ignore_permissions=True)

	def setUp(self):
		frappe.db.set_single_value("Funnel Settings", "email_intake_enabled", 1)

	def receive(self, *raws: bytes, append_to: str = "Lead") -> list:
		"""The host's receive path without a server: Email Account.get_inbound_mails (the app's
		class) builds the InboundMails from what the mocked server returns; each is processed as
		EmailAccount.receive does (without its commit)."""
		account = frappe.get_doc("Email Account", self.account)
		account.append_to = append_to
		messages = {"latest_messages": list(raws), "uid_list": [None] * len(raws)}
		from frappe.email.receive import EmailServer

		with (
			patch.object(EmailServer, "connect", return_value=True),
			patch.object(EmailServer, "logout", return_value=None),
			patch.object(EmailServer, "get_messages", return_value=messages),
		):
			mails = account.get_inbound_mails()
		self.assertTrue(all(isinstance(m, FunnelInboundMail) for m in mails))
		return [mail.process() for mail in mails]

	def receive_one(self, raw: bytes, **kwargs):
		return self.receive(raw, **kwargs)[0]

	def assert_linked(self, communication, doctype: str, name: str):
		self.assertEqual((communication.reference_doctype, communication.reference_name), (doctype, name))
		timeline = frappe.get_all(
			"Communication",
			filters={"reference_doctype": doctype, "reference_name": name},
			pluck="name",
		)
		self.assertIn(communication.name, timeline, "the mail shows on the record's timeline")

	def test_the_account_class_is_the_apps(self):
		self.assertIsInstance(frappe.get_doc("Email Account", self.account), FunnelEmailAccount)

	def test_unknown_sender_becomes_a_lead_in_the_entry_stage(self):
		sender = address()
		leads = frappe.db.count("Lead")
		raw, _id = raw_mail(sender, "Kitchen for a new flat", name="Olena Koval")
		communication = self.receive_one(raw)
		self.assertEqual(frappe.db.count("Lead"), leads + 1, "one Lead: the intake's, none by the host")
		lead = frappe.get_doc("Lead", communication.reference_name)
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		self.assertEqual(
			(lead.email_id, lead.first_name, lead.funnel, lead.funnel_stage, lead.funnel_channel),
			(sender, "Olena Koval", funnel.name, funnel.stages[0].stage_name, "E-mail"),
		)
		self.assertEqual(lead.funnel_need, "Kitchen for a new flat")
		self.assert_linked(communication, "Lead", lead.name)
		note = frappe.get_all(
			"Comment", filters={"reference_name": lead.name, "comment_type": "Comment"}, pluck="content"
		)
		self.assertTrue(any("E-mail" in c for c in note), "the intake's note names the channel")

	def test_markup_in_the_display_name_does_not_stop_the_mail(self):
		raw, _id = raw_mail(address(), "Hi", name="<b>Olena</b> <img src=x>")
		communication = self.receive_one(raw)
		lead = frappe.get_doc("Lead", communication.reference_name)
		self.assertNotIn("<", lead.first_name)
		self.assertIn("Olena", lead.first_name)

	def test_known_open_lead_gets_the_mail(self):
		sender = address()
		lead = intake(person_name="Ivan", email=sender)["name"]
		leads = frappe.db.count("Lead")
		# another subject than anything on the lead: the host's sender+subject match would miss it
		raw, _id = raw_mail(sender.upper(), "Another question entirely")
		communication = self.receive_one(raw)
		self.assertEqual(frappe.db.count("Lead"), leads)
		self.assert_linked(communication, "Lead", lead)

	def test_archived_lead_comes_back_as_returning(self):
		sender = address()
		lead = intake(person_name="Petro", email=sender)["name"]
		disqualify_lead(lead, "No budget")
		raw, _id = raw_mail(sender, "Now we have a budget")
		communication = self.receive_one(raw)
		self.assert_linked(communication, "Lead", lead)
		doc = frappe.get_doc("Lead", lead)
		entry = frappe.get_doc("Funnel", doc.funnel).stages[0].stage_name
		self.assertEqual((doc.funnel_archived, doc.funnel_returning, doc.funnel_stage), (0, 1, entry))

	def make_customer_contact(self, sender: str) -> str:
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": unique("Mail Customer"), "customer_type": "Company"}
		).insert()
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Maria",
				"email_ids": [{"email_id": sender, "is_primary": 1}],
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert()
		return customer.name

	def test_customer_contact_opens_a_deal_then_uses_the_open_one(self):
		sender = address()
		customer = self.make_customer_contact(sender)
		leads = frappe.db.count("Lead")
		first = self.receive_one(raw_mail(sender, "We need a second oven")[0])
		self.assertEqual(first.reference_doctype, "Opportunity")
		deal = frappe.get_doc("Opportunity", first.reference_name)
		self.assertEqual(
			(deal.opportunity_from, deal.party_name, deal.funnel, deal.contact_email),
			("Customer", customer, default_funnel("Opportunity"), sender),
		)
		self.assert_linked(first, "Opportunity", deal.name)
		# a new thread from the same customer goes on the same open deal
		second = self.receive_one(raw_mail(sender, "And a dishwasher")[0])
		self.assert_linked(second, "Opportunity", deal.name)
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), 1)
		self.assertEqual(frappe.db.count("Lead"), leads, "no Lead for a known customer")

	def test_customer_deal_in_a_final_stage_is_not_reused(self):
		sender = address()
		customer = self.make_customer_contact(sender)
		first = self.receive_one(raw_mail(sender, "First order")[0])
		funnel = frappe.get_doc("Funnel", default_funnel("Opportunity"))
		final = next(s.stage_name for s in funnel.stages if s.stage_type == "Won")
		frappe.db.set_value("Opportunity", first.reference_name, "funnel_stage", final)
		second = self.receive_one(raw_mail(sender, "Second order")[0])
		self.assertEqual(second.reference_doctype, "Opportunity")
		self.assertNotEqual(second.reference_name, first.reference_name)
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), 2)

	def test_contact_without_customer_gets_the_mail(self):
		sender = address()
		contact = frappe.get_doc(
			{"doctype": "Contact", "first_name": "Solo", "email_ids": [{"email_id": sender, "is_primary": 1}]}
		).insert()
		leads = frappe.db.count("Lead")
		communication = self.receive_one(raw_mail(sender, "Hello again")[0])
		self.assert_linked(communication, "Contact", contact.name)
		self.assertEqual(frappe.db.count("Lead"), leads)

	def test_a_reply_keeps_the_hosts_thread(self):
		sender = address()
		raw, message_id = raw_mail(sender, "Offer for a kitchen")
		first = self.receive_one(raw)
		# the reply comes from a colleague who is a known Lead of their own: the thread wins
		colleague = address()
		own_lead = intake(person_name="Colleague", email=colleague)["name"]
		reply = self.receive_one(raw_mail(colleague, "Re: Offer for a kitchen", in_reply_to=message_id)[0])
		self.assert_linked(reply, "Lead", first.reference_name)
		self.assertNotEqual(reply.reference_name, own_lead)
		self.assertEqual(reply.in_reply_to, first.name)

	def test_the_same_message_twice_is_one_communication(self):
		raw, _id = raw_mail(address(), "Twice")
		first = self.receive_one(raw)
		again = self.receive_one(raw)
		self.assertEqual(first.name, again.name)

	def test_opportunity_account_unknown_sender_becomes_a_lead(self):
		sender = address()
		opportunities = frappe.db.count("Opportunity")
		communication = self.receive_one(raw_mail(sender, "Price list")[0], append_to="Opportunity")
		self.assertEqual(communication.reference_doctype, "Lead")
		self.assertEqual(frappe.db.get_value("Lead", communication.reference_name, "email_id"), sender)
		self.assertEqual(frappe.db.count("Opportunity"), opportunities, "the host made no Opportunity")

	def test_setting_off_leaves_mail_to_the_host(self):
		frappe.db.set_single_value("Funnel Settings", "email_intake_enabled", 0)
		sender = address()
		self.make_customer_contact(sender)
		opportunities = frappe.db.count("Opportunity")
		communication = self.receive_one(raw_mail(sender, "Host's way")[0])
		# the host's behaviour the issue found: a new Lead for a customer's contact, no deal
		self.assertEqual(communication.reference_doctype, "Lead")
		lead = frappe.get_doc("Lead", communication.reference_name)
		self.assertEqual((lead.email_id, lead.funnel_channel), (sender, None))
		self.assertEqual(frappe.db.count("Opportunity"), opportunities)

	def test_mail_from_a_system_user_is_left_to_the_host(self):
		# staff writing from their own mail client: the host's own matching and creation
		staff = make_user(f"{frappe.generate_hash(length=8)}@staff.example", "Sales User")
		leads = frappe.db.count("Lead")
		communication = self.receive_one(raw_mail(staff, "Forwarding a customer's question")[0])
		self.assertEqual(communication.reference_doctype, "Lead")
		self.assertEqual(frappe.db.count("Lead"), leads + 1)
		self.assertIsNone(frappe.db.get_value("Lead", communication.reference_name, "funnel_channel"))
