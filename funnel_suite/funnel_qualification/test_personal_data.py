"""The host's Personal Data Deletion Request for a Lead's email completes with the app installed
and leaves no copy of that email in the app's tables (the intake's key table, the app's fields on
the Lead, texts of cadence runs); other people's rows stay."""

from __future__ import annotations

import frappe

from funnel_suite.api import intake, move_card
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_user, unique

SYSTEM_MANAGER = "funnel-privacy-admin@example.test"
SALES_MANAGER = "funnel-privacy-sales@example.test"
STAGES = [
	{"stage_name": "New", "stage_type": "Open"},
	{"stage_name": "Nurturing", "stage_type": "Open"},
	{"stage_name": "Converted", "stage_type": "Won"},
	{"stage_name": "Gone", "stage_type": "Lost"},
]


def address() -> str:
	return f"{frappe.generate_hash(length=10)}@privacy.example"


def app_tables() -> list[str]:
	modules = frappe.get_all("Module Def", filters={"app_name": "funnel_suite"}, pluck="name")
	return frappe.get_all(
		"DocType", filters={"module": ("in", modules), "issingle": 0, "is_virtual": 0}, pluck="name"
	)


def copies_of(text: str) -> dict[str, int]:
	"""Rows of the app's tables with `text` in any text column (case-insensitive)."""
	found = {}
	for doctype in app_tables():
		columns = frappe.db.sql(
			"""select column_name from information_schema.columns
			where table_schema = database() and table_name = %s
				and data_type in ('varchar', 'char', 'text', 'mediumtext', 'longtext')""",
			(f"tab{doctype}",),
			pluck=True,
		)
		if not columns:
			continue
		where = " or ".join(f"`{c}` like %(text)s" for c in columns)
		count = frappe.db.sql(f"select count(*) from `tab{doctype}` where {where}", {"text": f"%{text}%"})[0][
			0
		]
		if count:
			found[doctype] = count
	return found


def keys_of(name: str) -> list[tuple]:
	return sorted(
		frappe.get_all(
			"Funnel Contact Key",
			filters={"reference_doctype": "Lead", "reference_name": name},
			fields=["key_type", "key_value"],
			as_list=True,
		)
	)


class TestPersonalDataDeletion(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SYSTEM_MANAGER, "System Manager")
		make_user(SALES_MANAGER, "Sales Manager")
		# the host mails the person and the System Managers about the request
		if not frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}):
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": unique("Privacy Test Outbox"),
					"email_id": "privacy-outbox@example.test",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "127.0.0.1",
					"no_smtp_authentication": 1,
				}
			).insert()
		template = frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": unique("Privacy Test Mail"),
				"subject": "Hello",
				"response": "Hello {{ doc.first_name }}.",
			}
		).insert()
		cadence = frappe.get_doc(
			{
				"doctype": "Cadence",
				"cadence_name": unique("Cadence"),
				"enabled": 1,
				"steps": [
					{
						"wait_value": 1,
						"wait_unit": "Days",
						"channel": "Email",
						"email_template": template.name,
					}
				],
			}
		).insert()
		stages = [dict(s, cadence=cadence.name if s["stage_name"] == "Nurturing" else None) for s in STAGES]
		cls.funnel = make_funnel(document_type="Lead", stages=stages).name

	def tearDown(self):
		frappe.set_user("Administrator")

	def person(self, email: str, phone: str) -> str:
		"""A person who came in through the intake, got a Telegram chat and a cadence run whose
		delivery failed with an error quoting the address."""
		lead = intake(person_name=unique("Olga"), email=email, phone=phone, external_id=unique("ext"))["name"]
		frappe.db.set_value("Lead", lead, {"telegram_chat_id": "7700123", "funnel_phone_as_given": phone})
		move_card("Lead", lead, "Nurturing", funnel=self.funnel)
		enrollment = frappe.get_value("Cadence Enrollment", {"reference_name": lead}, "name")
		step = frappe.get_all("Cadence Enrollment Step", filters={"parent": enrollment}, pluck="name")[0]
		frappe.db.set_value(
			"Cadence Enrollment Step", step, "last_error", f"550 mailbox <{email}> unavailable"
		)
		return lead

	def test_deletion_request_for_a_leads_email_completes_and_leaves_no_copy(self):
		email, other_email = address(), address()
		lead = self.person(email, "+380671112233")
		other = self.person(other_email, "+380674445566")
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Olga",
				"user_type": "Website User",
				"send_welcome_email": 0,
			}
		).insert(ignore_permissions=True)
		self.assertIn("Funnel Contact Key", copies_of(email))
		self.assertIn("Cadence Enrollment Step", copies_of(email))
		other_keys = keys_of(other)
		self.assertEqual(len(other_keys), 4)  # email, phone, external id, Telegram chat id

		request = frappe.get_doc({"doctype": "Personal Data Deletion Request", "email": email})
		request.insert(ignore_permissions=True)
		request.status = "Pending Approval"
		request.save(ignore_permissions=True)
		# only a System Manager may carry it out (the host's rule)
		frappe.set_user(SALES_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Personal Data Deletion Request", request.name).trigger_data_deletion()
		frappe.set_user(SYSTEM_MANAGER)
		frappe.get_doc("Personal Data Deletion Request", request.name).trigger_data_deletion()
		frappe.set_user("Administrator")

		request.reload()
		self.assertEqual(request.status, "Deleted")
		self.assertTrue(all(step.status == "Deleted" for step in request.deletion_steps))
		self.assertEqual(copies_of(email), {})
		# the Lead's key rows went with the email (its phone, external id and Telegram chat id too)
		self.assertEqual(keys_of(lead), [])
		lead_doc = frappe.get_doc("Lead", lead)
		self.assertNotEqual(lead_doc.email_id, email)
		self.assertEqual(
			(lead_doc.telegram_chat_id, lead_doc.funnel_phone_as_given), ("[REDACTED]", "[REDACTED]")
		)
		# the other person keeps everything
		self.assertEqual(keys_of(other), other_keys)
		self.assertEqual(frappe.db.get_value("Lead", other, "email_id"), other_email)
		self.assertIn("Cadence Enrollment Step", copies_of(other_email))
