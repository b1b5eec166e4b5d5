"""Messages to the bot (`funnel_suite.api.telegram_webhook`, issue 16) as Telegram sends them: a
Guest's POST with the secret header and a JSON Update, through the host's request objects and
rate limiter; and the webhook's registration with the HTTP call mocked."""

from __future__ import annotations

import json
from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.utils import set_request

from funnel_suite.api import disqualify_lead, register_telegram_webhook, telegram_webhook
from funnel_suite.engine.telegram import SECRET_HEADER
from funnel_suite.funnel_cadences import enrollment as cadence_enrollment
from funnel_suite.funnel_cadences import outbound
from funnel_suite.funnel_cadences.telegram_inbound import METHOD, TelegramInboundRefused
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_lead, make_user, unique

SECRET = "funnel-test_secret-0123456789"
BOT_TOKEN = "123456:TEST-bot-token-never-shown"


def chat_id() -> int:
	return int(frappe.generate_hash(length=8), 16) % 10**10 + 10**9


def update(chat: int, text: str = "Hello!", first_name: str = "Taras", message_id: int = 1, **extra) -> dict:
	return {
		"update_id": message_id + 1000,
		"message": {
			"message_id": message_id,
			"date": 1764680000,
			"chat": {"id": chat, "type": "private", "first_name": first_name},
			"from": {"id": chat, "is_bot": False, "first_name": first_name, "last_name": "Shevchuk"},
			"text": text,
			**extra,
		},
	}


def inquiry_notes(doctype: str, name: str) -> list:
	return frappe.get_all(
		"Comment",
		filters={
			"reference_doctype": doctype,
			"reference_name": name,
			"comment_type": "Comment",
			"content": ("like", "%Telegram%"),
		},
		pluck="name",
	)


def communications(doctype: str, name: str) -> list:
	return frappe.get_all(
		"Communication",
		filters={"reference_doctype": doctype, "reference_name": name, "communication_medium": "Chat"},
		fields=["name", "content", "sent_or_received", "sender_full_name"],
	)


class TestTelegramInbound(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.service = make_user("funnel-telegram-intake@example.test", "Funnel Intake", "Sales User")
		cls.manager = make_user("funnel-telegram-manager@example.test", "Sales Manager")

	def setUp(self):
		self.ips: set[str] = set()
		self.switch()
		# the site's public address (Telegram calls https addresses only)
		self.host_name = frappe.local.conf.get("host_name")
		frappe.local.conf.host_name = "https://crm.example.com"

	def tearDown(self):
		frappe.local.conf.host_name = self.host_name
		for ip in self.ips:  # the limiter's counters live in Redis, outside the rolled-back transaction
			frappe.cache.delete(frappe.cache.make_key(f"rl:{METHOD}:{ip}"))
		frappe.local.request = None
		frappe.local.request_ip = None

	def switch(self, on: bool = True, limit: int = 120, secret: str | None = SECRET, user="service"):
		settings = frappe.get_doc("Cadence Settings")
		settings.update(
			{
				"telegram_inbound_enabled": int(on),
				"telegram_intake_user": self.service if user == "service" else user,
				"telegram_inbound_limit": limit,
				"telegram_inbound_window": 1,
				"telegram_webhook_secret": secret,
				"telegram_bot_token": BOT_TOKEN,
				"telegram_base_url": "https://api.telegram.org",
				"outbound_allow_list": "",
			}
		)
		settings.save()
		frappe.clear_document_cache("Cadence Settings", "Cadence Settings")

	@contextmanager
	def telegram(self, body, secret: str | None = SECRET, ip: str = "149.154.167.220"):
		"""Telegram's POST from `ip`, as the host's request handler sets it up, as Guest."""
		self.ips.add(ip)
		headers = {SECRET_HEADER: secret} if secret is not None else {}
		data = body if isinstance(body, bytes | str) else json.dumps(body)
		with self.set_user("Guest"):
			set_request(
				method="POST",
				path=f"/api/method/{METHOD}",
				headers=headers,
				data=data,
				content_type="application/json",
			)
			frappe.local.request_ip = ip
			frappe.form_dict.cmd = METHOD  # the host's handler puts the method here; the limiter keys by it
			try:
				yield
			finally:
				frappe.local.request = None

	def post(self, body, **kwargs):
		with self.telegram(body, **kwargs):
			return telegram_webhook()

	# --- the door ---------------------------------------------------------------------------------

	def test_without_or_with_a_wrong_secret_is_refused_and_nothing_is_written(self):
		chat = chat_id()
		leads = frappe.db.count("Lead")
		for secret in (None, "", "wrong-secret", SECRET + "x", SECRET[:-1]):
			with self.assertRaises(TelegramInboundRefused) as ctx:
				self.post(update(chat), secret=secret)
			self.assertEqual(ctx.exception.http_status_code, 403)
			self.assertNotIn(SECRET, str(ctx.exception))
		self.assertEqual(frappe.db.count("Lead"), leads)
		self.assertEqual(frappe.get_all("Lead", filters={"telegram_chat_id": str(chat)}), [])

	def test_switched_off_or_without_a_stored_secret_is_refused(self):
		self.switch(on=False)
		with self.assertRaises(TelegramInboundRefused):
			self.post(update(chat_id()))
		self.switch(secret="")
		with self.assertRaises(TelegramInboundRefused):
			self.post(update(chat_id()), secret="")

	def test_past_the_rate_limit_is_refused_before_the_secret_is_checked(self):
		self.switch(limit=2)
		chat = chat_id()
		self.post(update(chat, message_id=1))
		self.post(update(chat, message_id=2))
		for secret in (SECRET, "wrong"):
			with self.assertRaises(frappe.RateLimitExceededError) as ctx:
				self.post(update(chat, message_id=3), secret=secret)
			self.assertEqual(ctx.exception.http_status_code, 429)
		lead = frappe.get_all("Lead", filters={"telegram_chat_id": str(chat)}, pluck="name")
		self.assertEqual(len(communications("Lead", lead[0])), 2)
		# another address has its own count
		self.post(update(chat, message_id=4), ip="149.154.167.221")

	def test_a_body_that_is_not_an_update_is_refused_without_details(self):
		for body in (
			b"",
			b"not json",
			b"[]",
			{"message": {}},
			{"update_id": "1"},
			b"{" + b" " * 70000 + b"}",
		):
			with self.assertRaises(frappe.ValidationError) as ctx:
				self.post(body)
			self.assertNotIsInstance(ctx.exception, TelegramInboundRefused)
			self.assertIn("not a Telegram update", str(ctx.exception))

	def test_updates_the_bot_does_not_take_in_are_answered_and_ignored(self):
		chat = chat_id()
		leads = frappe.db.count("Lead")
		group = update(chat)
		group["message"]["chat"]["type"] = "group"
		for body in (group, {"update_id": 5, "edited_message": update(chat)["message"]}):
			self.assertEqual(self.post(body), {"ok": True})
		self.assertEqual(frappe.db.count("Lead"), leads)

	# --- the intake -------------------------------------------------------------------------------

	def test_unknown_chat_becomes_a_lead_with_the_message_on_its_timeline(self):
		chat = chat_id()
		answer = self.post(update(chat, text="<script>alert(1)</script> Need a <b>quote</b>\nfor 3 rooms"))
		self.assertEqual(answer, {"ok": True})
		lead = frappe.get_doc("Lead", {"telegram_chat_id": str(chat)})
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		self.assertEqual(
			(lead.first_name, lead.funnel_channel, lead.funnel_stage, lead.owner),
			("Taras Shevchuk", "Telegram", funnel.stages[0].stage_name, self.service),
		)
		(message,) = communications("Lead", lead.name)
		self.assertEqual((message.sent_or_received, message.sender_full_name), ("Received", "Taras Shevchuk"))
		self.assertNotIn("<script", message.content)
		self.assertNotIn("<b>", message.content)
		self.assertIn("&lt;b&gt;quote&lt;/b&gt;", message.content)

	def test_markup_in_the_sender_name_is_not_kept_as_markup(self):
		chat = chat_id()
		self.post(update(chat, first_name='<img src=x onerror="alert(1)">Ivan'))
		lead = frappe.get_doc("Lead", {"telegram_chat_id": str(chat)})
		(message,) = communications("Lead", lead.name)
		notes = frappe.get_all("Comment", filters={"reference_name": lead.name}, pluck="content")
		for text in (lead.first_name, lead.lead_name, message.sender_full_name, *notes):
			self.assertNotIn("<img", text or "")

	def test_known_chat_on_a_lead_gets_the_message_and_its_cadence_stops(self):
		chat = chat_id()
		lead = make_lead(first_name="Known in Telegram", telegram_chat_id=str(chat))
		cadence = frappe.get_doc(
			{
				"doctype": "Cadence",
				"cadence_name": unique("Telegram follow-up"),
				"enabled": 1,
				"stop_on_reply": 1,
				"steps": [{"wait_value": 2, "wait_unit": "Days", "channel": "Telegram", "message": "Hi!"}],
			}
		).insert()
		run = cadence_enrollment.enroll(lead, cadence.name, lead.funnel, lead.funnel_stage)
		leads = frappe.db.count("Lead")
		self.post(update(chat, text="Yes, call me tomorrow", message_id=1))
		self.assertEqual(frappe.db.count("Lead"), leads)
		self.assertEqual(len(communications("Lead", lead.name)), 1)
		run.reload()
		self.assertEqual((run.status, run.steps[0].status), ("Stopped", "Skipped"))
		self.assertEqual(len(inquiry_notes("Lead", lead.name)), 1)
		# the chat goes on: the next message joins the card without another inquiry note
		self.post(update(chat, text="At 10 please", message_id=2))
		self.assertEqual(len(communications("Lead", lead.name)), 2)
		self.assertEqual(len(inquiry_notes("Lead", lead.name)), 1)

	def test_the_chat_of_an_archived_lead_brings_it_back(self):
		chat = chat_id()
		self.post(update(chat, message_id=1))
		lead = frappe.db.get_value("Lead", {"telegram_chat_id": str(chat)})
		disqualify_lead(lead, "No budget")
		self.post(update(chat, message_id=2, text="We have the budget now"))
		doc = frappe.get_doc("Lead", lead)
		self.assertEqual((doc.funnel_archived, doc.funnel_returning), (0, 1))
		self.assertEqual(len(communications("Lead", lead)), 2)
		self.assertEqual(frappe.db.count("Lead", {"telegram_chat_id": str(chat)}), 1)

	def test_known_chat_of_a_customers_contact_goes_on_the_customers_deal(self):
		chat = chat_id()
		customer = frappe.get_doc(
			{"doctype": "Customer", "customer_name": unique("TG Customer"), "customer_type": "Company"}
		).insert()
		frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Oksana",
				"telegram_chat_id": str(chat),
				"links": [{"link_doctype": "Customer", "link_name": customer.name}],
			}
		).insert()
		leads = frappe.db.count("Lead")
		self.post(update(chat, message_id=1))
		self.post(update(chat, message_id=2, text="And one more thing"))
		deals = frappe.get_all("Opportunity", filters={"party_name": customer.name}, pluck="name")
		self.assertEqual(len(deals), 1, "the second message goes on the open deal")
		self.assertEqual(len(communications("Opportunity", deals[0])), 2)
		self.assertEqual(frappe.db.count("Lead"), leads)

	def test_the_same_update_sent_again_is_recorded_once(self):
		chat = chat_id()
		body = update(chat, message_id=7)
		self.post(body)
		self.post(body)
		lead = frappe.db.get_value("Lead", {"telegram_chat_id": str(chat)})
		self.assertEqual(len(communications("Lead", lead)), 1)

	def test_an_intake_user_that_cannot_take_messages_in_is_refused_plainly(self):
		self.switch(user=self.manager)  # no Funnel Intake role
		leads = frappe.db.count("Lead")
		with self.assertRaises(TelegramInboundRefused) as ctx:
			self.post(update(chat_id()))
		self.assertNotIn(self.manager, str(ctx.exception))
		self.assertEqual(frappe.db.count("Lead"), leads)

	# --- registering the webhook -----------------------------------------------------------------

	def test_register_webhook_calls_set_webhook_through_the_outbound_rules(self):
		self.switch(secret="")
		with patch.object(outbound, "request") as request:
			result = register_telegram_webhook()
		method, url, _label = request.call_args.args
		payload = request.call_args.kwargs["json"]
		self.assertEqual((method, url.rsplit("/", 1)[-1]), ("POST", "setWebhook"))
		self.assertIn(f"/bot{BOT_TOKEN}/", url)
		self.assertTrue(result["url"].endswith(f"/api/method/{METHOD}"))
		self.assertEqual((payload["url"], payload["allowed_updates"]), (result["url"], ["message"]))
		from frappe.utils.password import get_decrypted_password

		stored = get_decrypted_password("Cadence Settings", "Cadence Settings", "telegram_webhook_secret")
		self.assertEqual(payload["secret_token"], stored)
		self.assertGreaterEqual(len(stored), 32)
		self.assertNotIn(stored, json.dumps(result))

	def test_register_webhook_failures_never_show_the_token(self):
		for failure in (outbound.HTTPFailure(401), RuntimeError(f"boom at /bot{BOT_TOKEN}/setWebhook")):
			with patch.object(outbound, "request", side_effect=failure):
				with self.assertRaises(frappe.ValidationError) as ctx:
					register_telegram_webhook()
			self.assertNotIn(BOT_TOKEN, str(ctx.exception))
			self.assertNotIn(BOT_TOKEN, json.dumps(frappe.local.message_log or []))
		# a private Telegram API URL is refused by the outbound rules before any call
		frappe.db.set_single_value("Cadence Settings", "telegram_base_url", "http://127.0.0.1:9")
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "")
		with self.assertRaises(frappe.ValidationError) as ctx:
			register_telegram_webhook()
		self.assertIn("private", str(ctx.exception))
		self.assertNotIn(BOT_TOKEN, str(ctx.exception))

	def test_a_site_without_an_https_address_is_told_before_telegram_is_called(self):
		frappe.local.conf.host_name = "http://crm.example.com"
		with patch.object(outbound, "request") as request:
			with self.assertRaises(frappe.ValidationError) as ctx:
				register_telegram_webhook()
		request.assert_not_called()
		self.assertIn("https", str(ctx.exception))
		self.assertIn("http://crm.example.com", str(ctx.exception))
		self.assertNotIn(BOT_TOKEN, str(ctx.exception))

	def test_only_a_system_manager_registers_the_webhook(self):
		for user in (self.manager, self.service, "Guest"):
			with self.set_user(user):
				with patch.object(outbound, "request") as request:
					with self.assertRaises(frappe.PermissionError):
						register_telegram_webhook()
				request.assert_not_called()

	def test_a_funnel_manager_cannot_change_the_inbound_settings(self):
		manager = make_user("funnel-telegram-fm@example.test", "Funnel Manager")
		with self.set_user(manager):
			settings = frappe.get_doc("Cadence Settings")
			settings.telegram_inbound_limit = 9999
			with self.assertRaises(frappe.PermissionError):
				settings.save()
			settings.reload()
			settings.http_timeout = 5  # the rest of the form still saves
			settings.save()
