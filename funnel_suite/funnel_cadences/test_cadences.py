"""Cadences: enrollment on stage entry, stop rules, sending through every channel.

Telegram and webhook steps call a stub HTTP server on 127.0.0.1 started by this test class
(127.0.0.1 is on the outbound allow-list of Cadence Settings for these tests).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import frappe
from frappe.desk.notifications import get_open_count
from frappe.utils import add_to_date, get_datetime, now_datetime
from frappe.utils.password import get_decrypted_password

from funnel_suite.api import move_card
from funnel_suite.funnel_cadences import sender
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_funnel,
	make_lead,
	make_opportunity,
	make_user,
	unique,
)

BOT_TOKEN = "123456:BOT-SECRET-TOKEN"
WEBHOOK_SECRET = "Bearer WEBHOOK-SECRET-VALUE"


class Stub(BaseHTTPRequestHandler):
	"""Records every request; answers by `mode`: ok, fail (HTTP 500 with a body), slow (sleeps 3 s)
	or redirect (HTTP 302 to /elsewhere on the same server)."""

	mode = "ok"
	calls: list = []

	def _handle(self):
		length = int(self.headers.get("Content-Length") or 0)
		body = self.rfile.read(length).decode() if length else ""
		Stub.calls.append(
			{"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
		)
		if Stub.mode == "slow":
			time.sleep(3)
		status = {"fail": 500, "redirect": 302}.get(Stub.mode, 200)
		payload = (
			b'{"ok": false, "description": "boom INTERNAL-DETAIL"}' if status == 500 else b'{"ok": true}'
		)
		self.send_response(status)
		if status == 302:
			self.send_header("Location", "/elsewhere")
		self.send_header("Content-Type", "application/json")
		self.send_header("Content-Length", str(len(payload)))
		self.end_headers()
		try:
			self.wfile.write(payload)
		except OSError:
			pass  # the client gave up (timeout test)

	do_POST = do_PUT = do_GET = _handle

	def log_message(self, *args):
		pass


STAGES = [
	{"stage_name": "New", "stage_type": "Open"},
	{"stage_name": "Nurturing", "stage_type": "Open"},
	{"stage_name": "Converted", "stage_type": "Won"},
	{"stage_name": "Gone", "stage_type": "Lost"},
]


def enrollments(lead, **filters):
	return frappe.get_all(
		"Cadence Enrollment",
		filters={"reference_doctype": "Lead", "reference_name": lead, **filters},
		pluck="name",
	)


def only_enrollment(lead):
	names = enrollments(lead)
	assert len(names) == 1, names
	return frappe.get_doc("Cadence Enrollment", names[0])


class TestCadences(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
		cls.thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
		cls.thread.start()
		cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
		settings = frappe.get_doc("Cadence Settings")
		settings.update(
			{
				"enabled": 1,
				"telegram_bot_token": BOT_TOKEN,
				"telegram_base_url": cls.base,
				"http_timeout": 1,
				"max_attempts": 3,
				"outbound_allow_list": "127.0.0.1",
			}
		)
		settings.save()
		if not frappe.db.exists("Email Account", {"default_outgoing": 1, "enable_outgoing": 1}):
			frappe.get_doc(
				{
					"doctype": "Email Account",
					"email_account_name": unique("Cadence Test Outbox"),
					"email_id": "cadence-outbox@example.test",
					"enable_outgoing": 1,
					"default_outgoing": 1,
					"smtp_server": "127.0.0.1",
					"no_smtp_authentication": 1,
				}
			).insert()
		cls.template = frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": unique("Cadence Test Mail"),
				"subject": "Still thinking, {{ first_name }}?",
				"response": "Hello {{ doc.first_name }}, your offer in {{ stage }} is waiting.",
			}
		).insert()
		cls.webhook = frappe.get_doc(
			{
				"doctype": "Cadence Webhook",
				"title": unique("CRM hook"),
				"url": cls.base + "/hook",
				"auth_header_name": "Authorization",
				"auth_token": WEBHOOK_SECRET,
				"timeout": 1,
				"max_attempts": 3,
			}
		).insert()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		cls.server.server_close()
		super().tearDownClass()

	def setUp(self):
		Stub.mode, Stub.calls = "ok", []

	def cadence(self, *steps, **flags):
		return frappe.get_doc(
			{
				"doctype": "Cadence",
				"cadence_name": unique("Cadence"),
				"enabled": 1,
				"steps": list(steps),
				**flags,
			}
		).insert()

	def email_step(self, wait=0, unit="Hours"):
		return {
			"wait_value": wait,
			"wait_unit": unit,
			"channel": "Email",
			"email_template": self.template.name,
		}

	def webhook_step(
		self,
		wait=0,
		body='{"lead": {{ doc.name | tojson }}, "who": {{ doc.first_name | tojson }}, "stage": {{ stage | tojson }}, "step": {{ step }}}',
	):
		return {
			"wait_value": wait,
			"wait_unit": "Hours",
			"channel": "Webhook",
			"webhook": self.webhook.name,
			"body_template": body,
		}

	def funnel_with(self, cadence, stage="Nurturing"):
		stages = [dict(s, cadence=cadence if s["stage_name"] == stage else None) for s in STAGES]
		return make_funnel(document_type="Lead", stages=stages).name

	def enrolled_lead(self, cadence, **values):
		funnel = self.funnel_with(cadence)
		lead = make_lead(
			funnel=funnel,
			funnel_stage="New",
			email_id=values.pop("email_id", f"{frappe.generate_hash(length=8)}@example.test"),
			**values,
		)
		move_card("Lead", lead.name, "Nurturing")
		return lead.name

	def make_due(self, enrollment):
		for row in frappe.get_doc("Cadence Enrollment", enrollment).steps:
			if row.status == "Queued":
				frappe.db.set_value(
					"Cadence Enrollment Step", row.name, "due_on", add_to_date(now_datetime(), minutes=-1)
				)
				return row.name

	# --- enrollment and stop rules --------------------------------------------------------------

	def test_entering_the_stage_enrolls_with_cumulative_due_times(self):
		cadence = self.cadence(self.email_step(2, "Hours"), self.email_step(3, "Days")).name
		before = now_datetime()
		lead = self.enrolled_lead(cadence)
		enrollment = only_enrollment(lead)
		self.assertEqual(
			(enrollment.status, enrollment.cadence, enrollment.stage), ("Active", cadence, "Nurturing")
		)
		start = get_datetime(enrollment.enrolled_on)
		self.assertGreaterEqual(start, before.replace(microsecond=0))
		self.assertEqual(
			[(r.step_no, r.channel, r.status, get_datetime(r.due_on)) for r in enrollment.steps],
			[
				(1, "Email", "Queued", add_to_date(start, hours=2)),
				(2, "Email", "Queued", add_to_date(start, hours=2, days=3)),
			],
		)
		self.assertEqual(sender.due_steps(now_datetime()), [])  # nothing due yet, nothing sent

	def test_leaving_the_stage_stops_and_skips_queued_steps(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(1), self.email_step(2)).name)
		move_card("Lead", lead, "New")
		enrollment = only_enrollment(lead)
		self.assertEqual((enrollment.status, enrollment.stop_reason), ("Stopped", "Card left the stage"))
		self.assertEqual(
			{(r.status, r.reason) for r in enrollment.steps}, {("Skipped", "Card left the stage")}
		)
		move_card("Lead", lead, "Nurturing")  # coming back starts a new run
		self.assertEqual(len(enrollments(lead, status="Active")), 1)

	def test_stage_exit_flag_off_keeps_the_enrollment(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(1), stop_on_stage_exit=0).name)
		move_card("Lead", lead, "New")
		self.assertEqual(only_enrollment(lead).status, "Active")

	def test_won_and_lost_stop_with_their_reason(self):
		cadence = self.cadence(self.email_step(1)).name
		won, lost = self.enrolled_lead(cadence), self.enrolled_lead(cadence)
		move_card("Lead", won, "Converted")
		move_card("Lead", lost, "Gone")
		self.assertEqual(only_enrollment(won).stop_reason, "Card won")
		self.assertEqual(only_enrollment(lost).stop_reason, "Card lost")

	def test_a_received_reply_stops_the_enrollment(self):
		cadence = self.cadence(self.email_step(1)).name
		quiet = self.cadence(self.email_step(1), stop_on_reply=0).name
		lead, other = self.enrolled_lead(cadence), self.enrolled_lead(quiet)
		for name, direction in ((lead, "Sent"), (lead, "Received"), (other, "Received")):
			frappe.get_doc(
				{
					"doctype": "Communication",
					"communication_type": "Communication",
					"communication_medium": "Email",
					"sent_or_received": direction,
					"subject": "Re: your offer",
					"content": "Thanks, call me",
					"reference_doctype": "Lead",
					"reference_name": name,
				}
			).insert(ignore_permissions=True)
			if direction == "Sent":  # our own message does not stop anything
				self.assertEqual(only_enrollment(lead).status, "Active")
		self.assertEqual(
			(only_enrollment(lead).status, only_enrollment(lead).stop_reason), ("Stopped", "Reply received")
		)
		self.assertEqual(only_enrollment(other).status, "Active")

	def test_an_unthreaded_reply_from_the_cards_address_stops_it(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(1)).name, email_id="petro@example.test")
		other = self.enrolled_lead(self.cadence(self.email_step(1)).name)
		frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Email",
				"sent_or_received": "Received",
				"sender": "Petro <petro@example.test>",
				"subject": "Question",
				"content": "Is the offer still valid?",
			}
		).insert(ignore_permissions=True)
		self.assertEqual(only_enrollment(lead).stop_reason, "Reply received")
		self.assertEqual(only_enrollment(other).status, "Active")

	def test_disabled_cadence_stops_runs_and_enrolls_nobody(self):
		cadence = self.cadence(self.email_step(1))
		lead = self.enrolled_lead(cadence.name)
		cadence.enabled = 0
		cadence.save()
		self.assertEqual(only_enrollment(lead).stop_reason, "Cadence disabled")
		self.assertEqual(enrollments(self.enrolled_lead(cadence.name)), [])

	# --- sending ----------------------------------------------------------------------------------

	def test_email_step_goes_to_the_email_queue_and_the_timeline_once(self):
		lead = self.enrolled_lead(
			self.cadence(self.email_step(0), self.email_step(1)).name,
			first_name="Olena",
			email_id="olena@example.test",
		)
		enrollment = only_enrollment(lead)
		self.assertEqual(sender.send_due_steps(), [enrollment.steps[0].name])
		self.assertEqual(sender.send_due_steps(), [])  # the second step waits a day
		self.assertIsNone(sender.send_step(enrollment.steps[0].name))  # a duplicate job does nothing
		enrollment.reload()
		first = enrollment.steps[0]
		self.assertEqual((first.status, first.attempts), ("Sent", 1), first.last_error)
		comm = frappe.get_doc("Communication", first.communication)
		self.assertEqual((comm.reference_doctype, comm.reference_name), ("Lead", lead))
		self.assertEqual(comm.subject, "Still thinking, Olena?")
		self.assertIn("olena@example.test", comm.recipients)
		self.assertIn("Hello Olena, your offer in Nurturing is waiting.", comm.content)
		queued = frappe.get_all(
			"Email Queue", filters={"communication": comm.name}, fields=["name", "message"]
		)
		self.assertEqual(len(queued), 1)
		self.assertEqual(
			frappe.db.count("Communication", {"reference_name": lead, "sent_or_received": "Sent"}), 1
		)
		self.assertEqual(enrollment.status, "Active")
		self.make_due(enrollment.name)
		sender.send_due_steps()
		self.assertEqual(only_enrollment(lead).status, "Completed")

	def test_email_step_without_an_address_fails_at_once(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(0)).name, email_id=None)
		step = only_enrollment(lead).steps[0].name
		self.assertEqual(sender.send_step(step), "Failed")
		row = only_enrollment(lead).steps[0]
		self.assertEqual(row.attempts, 1)
		self.assertIn("has no email address", row.last_error)

	def test_telegram_step_posts_to_the_bot_api(self):
		step = {
			"wait_value": 0,
			"wait_unit": "Hours",
			"channel": "Telegram",
			"message": "Hi {{ doc.first_name }}!",
		}
		lead = self.enrolled_lead(self.cadence(step).name, first_name="Taras", telegram_chat_id="777")
		sender.send_due_steps()
		self.assertEqual(len(Stub.calls), 1)
		call = Stub.calls[0]
		self.assertEqual((call["method"], call["path"]), ("POST", f"/bot{BOT_TOKEN}/sendMessage"))
		self.assertEqual(json.loads(call["body"]), {"chat_id": "777", "text": "Hi Taras!"})
		row = only_enrollment(lead).steps[0]
		self.assertEqual(row.status, "Sent")
		comm = frappe.get_doc("Communication", row.communication)
		self.assertEqual((comm.communication_medium, comm.reference_name), ("Chat", lead))
		self.assertNotIn(BOT_TOKEN, comm.content)

	def test_sms_step_goes_through_the_sms_settings_gateway(self):
		sms = frappe.get_doc("SMS Settings")
		sms.update(
			{
				"sms_gateway_url": self.base + "/sms",
				"message_parameter": "text",
				"receiver_parameter": "to",
				"use_post": 1,
				"parameters": [{"parameter": "sender", "value": "ACME", "header": 0}],
			}
		)
		sms.save()
		step = {
			"wait_value": 0,
			"wait_unit": "Hours",
			"channel": "SMS",
			"message": "{{ doc.first_name }}, call us",
		}
		lead = self.enrolled_lead(self.cadence(step).name, first_name="Iryna", mobile_no="+380 50 123-45-67")
		sender.send_due_steps()
		self.assertEqual(len(Stub.calls), 1)
		from urllib.parse import parse_qs

		self.assertEqual(
			parse_qs(Stub.calls[0]["body"]),
			{"sender": ["ACME"], "text": ["Iryna, call us"], "to": ["+380501234567"]},
		)
		row = only_enrollment(lead).steps[0]
		comm = frappe.get_doc("Communication", row.communication)
		self.assertEqual(
			(row.status, comm.communication_medium, comm.phone_no), ("Sent", "SMS", "+380501234567")
		)

	def test_a_late_step_pushes_the_next_one_later(self):
		lead = self.enrolled_lead(self.cadence(self.webhook_step(), self.webhook_step(wait=24)).name)
		enrollment = only_enrollment(lead)
		first, second = enrollment.steps
		late = add_to_date(now_datetime(), hours=-3)  # the scheduler was paused for three hours
		for row, at in ((first, late), (second, add_to_date(late, hours=24))):
			frappe.db.set_value("Cadence Enrollment Step", row.name, {"due_on": at, "planned_on": at})
		sender.send_step(first.name)
		second.reload()
		gap = get_datetime(second.due_on) - get_datetime(
			frappe.db.get_value("Cadence Enrollment Step", first.name, "sent_on")
		)
		self.assertAlmostEqual(gap.total_seconds(), 24 * 3600, delta=5)

	def test_an_opportunity_messages_its_lead(self):
		step = {
			"wait_value": 0,
			"wait_unit": "Hours",
			"channel": "Telegram",
			"message": "Deal {{ doc.name }}",
		}
		stages = [
			dict(s, cadence=self.cadence(step).name if s["stage_name"] == "Nurturing" else None)
			for s in STAGES
		]
		funnel = make_funnel(document_type="Opportunity", stages=stages).name
		lead = make_lead(telegram_chat_id="9001")
		deal = make_opportunity(lead=lead, funnel=funnel, funnel_stage="New")
		move_card("Opportunity", deal.name, "Nurturing")
		sender.send_due_steps()
		self.assertEqual(json.loads(Stub.calls[0]["body"]), {"chat_id": "9001", "text": f"Deal {deal.name}"})
		run = frappe.get_all(
			"Cadence Enrollment",
			filters={"reference_doctype": "Opportunity", "reference_name": deal.name},
			fields=["name", "status"],
		)
		self.assertEqual([r.status for r in run], ["Completed"])
		counts = get_open_count("Opportunity", deal.name)["count"]["external_links_found"]
		self.assertIn({"doctype": "Cadence Enrollment", "count": 1, "open_count": 0}, counts)

	def test_webhook_step_sends_the_rendered_json_with_the_auth_header(self):
		lead = self.enrolled_lead(self.cadence(self.webhook_step()).name, first_name='Ann "the boss"')
		sender.send_due_steps()
		self.assertEqual(len(Stub.calls), 1)
		call = Stub.calls[0]
		self.assertEqual((call["method"], call["path"]), ("POST", "/hook"))
		self.assertEqual(call["headers"]["Authorization"], WEBHOOK_SECRET)
		self.assertEqual(
			json.loads(call["body"]), {"lead": lead, "who": 'Ann "the boss"', "stage": "Nurturing", "step": 1}
		)
		row = only_enrollment(lead).steps[0]
		comm = frappe.get_doc("Communication", row.communication)
		self.assertEqual((row.status, comm.communication_medium), ("Sent", "Other"))
		self.assertNotIn("WEBHOOK-SECRET", comm.content)

	def test_http_500_is_retried_then_failed_and_the_next_step_goes_on(self):
		Stub.mode = "fail"
		lead = self.enrolled_lead(self.cadence(self.webhook_step(), self.webhook_step(wait=1)).name)
		enrollment = only_enrollment(lead)
		first = enrollment.steps[0].name
		started = now_datetime()
		self.assertEqual(sender.send_step(first), "Queued")
		row = frappe.get_doc("Cadence Enrollment Step", first)
		self.assertEqual(row.attempts, 1)
		self.assertIn("HTTP 500", row.last_error)
		self.assertGreaterEqual(get_datetime(row.due_on), add_to_date(started, minutes=5, seconds=-1))
		self.assertIsNone(sender.send_step(first))  # the retry is not due yet
		for _attempt in (2, 3):
			self.make_due(enrollment.name)
			sender.send_step(first)
		enrollment.reload()
		self.assertEqual([(r.status, r.attempts) for r in enrollment.steps], [("Failed", 3), ("Queued", 0)])
		self.assertEqual(len(Stub.calls), 3)
		self.assertEqual(enrollment.status, "Active")  # a failed step does not stop the cadence
		self.assertGreater(get_datetime(enrollment.steps[1].due_on), now_datetime())
		self.assertNotIn("WEBHOOK-SECRET", enrollment.steps[0].last_error)
		self.assertNotIn("boom", enrollment.steps[0].last_error)  # the response body is not kept
		self.assertIn("Internal Server Error", enrollment.steps[0].last_error)

	def test_a_slow_endpoint_times_out(self):
		Stub.mode = "slow"
		self.webhook.db_set("max_attempts", 1)
		try:
			lead = self.enrolled_lead(self.cadence(self.webhook_step()).name)
			started = time.monotonic()
			self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Failed")
			self.assertLess(time.monotonic() - started, 2.5)
			self.assertIn("Timed out", only_enrollment(lead).steps[0].last_error)
		finally:
			self.webhook.db_set("max_attempts", 3)

	def test_telegram_error_never_shows_the_token(self):
		Stub.mode = "fail"
		frappe.db.set_single_value("Cadence Settings", "max_attempts", 1)
		step = {"wait_value": 0, "wait_unit": "Hours", "channel": "Telegram", "message": "Hi"}
		lead = self.enrolled_lead(self.cadence(step).name, telegram_chat_id="42")
		try:
			self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Failed")
		finally:
			frappe.db.set_single_value("Cadence Settings", "max_attempts", 3)
		error = only_enrollment(lead).steps[0].last_error
		self.assertIn("HTTP 500", error)
		self.assertNotIn(BOT_TOKEN, error)

	def test_paused_settings_send_nothing(self):
		self.enrolled_lead(self.cadence(self.email_step(0)).name)
		frappe.db.set_single_value("Cadence Settings", "enabled", 0)
		try:
			self.assertEqual(sender.send_due_steps(), [])
		finally:
			frappe.db.set_single_value("Cadence Settings", "enabled", 1)

	def test_a_stopped_enrollment_sends_nothing(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(0)).name)
		step = only_enrollment(lead).steps[0].name
		move_card("Lead", lead, "New")
		self.assertEqual(sender.send_due_steps(), [])
		self.assertIsNone(sender.send_step(step))

	# --- secrets, permissions, validation ---------------------------------------------------------

	def test_secrets_are_stored_as_passwords(self):
		raw = frappe.db.sql("select auth_token from `tabCadence Webhook` where name=%s", self.webhook.name)[
			0
		][0]
		self.assertNotIn("SECRET", raw)
		self.assertTrue(set(raw) <= {"*"})
		raw_token = frappe.db.sql(
			"select value from `tabSingles` where doctype='Cadence Settings' and field='telegram_bot_token'"
		)[0][0]
		self.assertNotIn("BOT-SECRET", raw_token)

	def test_enrollments_cannot_be_written_by_hand(self):
		lead = self.enrolled_lead(self.cadence(self.email_step(1)).name)
		enrollment = only_enrollment(lead)
		enrollment.status = "Completed"
		self.assertRaises(frappe.PermissionError, enrollment.save)

	def test_permissions(self):
		seller = make_user("cadence-seller@example.test", "Sales User")
		manager = make_user("cadence-manager@example.test", "Sales Manager")
		cadence = self.cadence(self.email_step(1))
		self.assertTrue(frappe.has_permission("Cadence", "read", cadence.name, user=seller))
		self.assertFalse(frappe.has_permission("Cadence", "write", cadence.name, user=seller))
		self.assertTrue(frappe.has_permission("Cadence", "write", cadence.name, user=manager))
		hidden = self.enrolled_lead(cadence.name)
		visible = self.enrolled_lead(cadence.name)
		frappe.get_doc(
			{"doctype": "User Permission", "user": seller, "allow": "Lead", "for_value": visible}
		).insert(ignore_permissions=True)
		hidden_run, visible_run = only_enrollment(hidden), only_enrollment(visible)
		self.assertFalse(frappe.has_permission("Cadence Enrollment", "read", hidden_run, user=seller))
		self.assertTrue(frappe.has_permission("Cadence Enrollment", "read", visible_run, user=seller))
		self.assertFalse(frappe.has_permission("Cadence Enrollment", "write", visible_run, user=seller))
		frappe.set_user(seller)
		try:
			listed = frappe.get_list("Cadence Enrollment", pluck="name")
		finally:
			frappe.set_user("Administrator")
		self.assertIn(visible_run.name, listed)
		self.assertNotIn(hidden_run.name, listed)

	def test_validation_names_the_step_and_the_field(self):
		cases = [
			(
				{
					"wait_value": -1,
					"wait_unit": "Days",
					"channel": "Email",
					"email_template": self.template.name,
				},
				"Step 1",
				"Wait",
			),
			({"wait_value": 1, "wait_unit": "Days", "channel": "Email"}, "Step 1", "Email Template"),
			(self.webhook_step(body='{"lead": {{ doc.name }}'), "Step 1", "not valid JSON"),
			(self.webhook_step(body='{"a": {{ doc.name | tojson }} }'), None, None),
			({"wait_value": 1, "wait_unit": "Hours", "channel": "SMS"}, "Step 1", "Message"),
			(
				{
					"wait_value": 1,
					"wait_unit": "Hours",
					"channel": "Telegram",
					"message": "Hi {{ doc.first_name",
				},
				"Step 1",
				"cannot be rendered",
			),
			(
				{"wait_value": 1, "wait_unit": "Hours", "channel": "SMS", "message": "{{ doc.__class__ }}"},
				"Step 1",
				"is not allowed",
			),
		]
		for step, where, what in cases:
			doc = frappe.get_doc({"doctype": "Cadence", "cadence_name": unique("Bad"), "steps": [step]})
			if where is None:
				doc.insert()
				continue
			with self.assertRaises(frappe.ValidationError) as caught:
				doc.insert()
			self.assertIn(where, str(caught.exception))
			self.assertIn(what, str(caught.exception))

	def test_webhook_and_settings_validation(self):
		for values, expected in (
			({"url": "ftp://example.test/x"}, "http:// or https://"),
			({"url": "not a url"}, "http:// or https://"),
			({"url": "https://example.test/x", "timeout": 61}, "between 1 and 60"),
			({"url": "https://example.test/x", "max_attempts": 11}, "between 1 and 10"),
		):
			doc = frappe.get_doc({"doctype": "Cadence Webhook", "title": unique("Bad hook"), **values})
			with self.assertRaises(frappe.ValidationError) as caught:
				doc.insert()
			self.assertIn(expected, str(caught.exception))
		settings = frappe.get_doc("Cadence Settings")
		settings.telegram_base_url = "file:///etc/passwd"
		self.assertRaises(frappe.ValidationError, settings.save)

	# --- webhooks are set up by a System Manager (issue 17: where card data is sent) -----------------

	def test_only_a_system_manager_sets_up_webhooks(self):
		"""A Sales or Funnel Manager may pick a webhook in a step but not create, repoint or delete
		one: a webhook of their own would receive every card entering the stage, from any company.
		Refused by the DocType permissions and again by the controller (paths that skip them)."""
		from frappe.client import insert as client_insert
		from frappe.client import set_value as client_set_value

		sales_manager = make_user("cadence-sandbox-sm@example.test", "Sales Manager")
		funnel_manager = make_user("cadence-sandbox-fm@example.test", "Funnel Manager")
		admin = make_user("cadence-sandbox-sys@example.test", "System Manager")
		hook = self.webhook.name
		attacker = "https://93.184.216.34/collect"
		for user in (sales_manager, funnel_manager):
			for action in ("create", "write", "delete"):
				self.assertFalse(frappe.has_permission("Cadence Webhook", action, hook, user=user), action)
			self.assertTrue(frappe.has_permission("Cadence Webhook", "read", hook, user=user))
			new = {"doctype": "Cadence Webhook", "title": unique("Mine"), "url": attacker}
			with self.set_user(user):
				self.assertIn(hook, frappe.get_list("Cadence Webhook", pluck="name"))  # can pick it
				attempts = [
					lambda: frappe.get_doc(dict(new)).insert(),
					lambda: client_insert(dict(new)),
					lambda: client_insert(json.dumps(new)),
					lambda: frappe.get_doc(dict(new)).insert(ignore_permissions=True),
				]
				for field, value in (
					("url", attacker),
					("method", "PUT"),
					("auth_header_name", "X-Other"),
					("auth_token", "Bearer MINE"),
					("timeout", 5),
				):
					attempts.append(lambda f=field, v=value: client_set_value("Cadence Webhook", hook, f, v))
					attempts.append(
						lambda f=field, v=value: frappe.get_doc("Cadence Webhook", hook).update({f: v}).save()
					)
					attempts.append(
						lambda f=field, v=value: (
							frappe.get_doc("Cadence Webhook", hook)
							.update({f: v})
							.save(ignore_permissions=True)
						)
					)
				attempts += [
					lambda: frappe.delete_doc("Cadence Webhook", hook),
					lambda: frappe.delete_doc("Cadence Webhook", hook, ignore_permissions=True),
				]
				for number, attempt in enumerate(attempts):
					# one request each: a refused request rolls back what it wrote before the
					# refusal (the host's delete_doc drops the stored passwords first)
					frappe.db.savepoint("webhook_attempt")
					with self.assertRaises(frappe.PermissionError, msg=f"{user} attempt {number}"):
						attempt()
					frappe.db.rollback(save_point="webhook_attempt")
				with self.assertRaises(frappe.PermissionError) as caught:  # the controller's own check
					frappe.get_doc(dict(new)).insert(ignore_permissions=True)
				self.assertIn("Only a System Manager", str(caught.exception))
			self.assertFalse(frappe.db.exists("Cadence Webhook", {"url": attacker}), user)
			stored = frappe.db.get_value(
				"Cadence Webhook", hook, ["url", "method", "auth_header_name", "timeout"], as_dict=True
			)
			self.assertEqual(
				stored,
				{
					"url": self.base + "/hook",
					"method": "POST",
					"auth_header_name": "Authorization",
					"timeout": 1,
				},
			)
			self.assertEqual(
				get_decrypted_password("Cadence Webhook", hook, "auth_token", False), WEBHOOK_SECRET
			)
		with self.set_user(admin):
			mine = frappe.get_doc(
				{"doctype": "Cadence Webhook", "title": unique("Ops hook"), "url": self.base + "/ops"}
			).insert()
			client_set_value("Cadence Webhook", mine.name, "url", self.base + "/ops2")
			doc = frappe.get_doc("Cadence Webhook", mine.name)
			doc.update({"auth_token": "Bearer OPS", "method": "PUT"})
			doc.save()
			made = client_insert(
				{"doctype": "Cadence Webhook", "title": unique("Ops 2"), "url": self.base + "/x"}
			)
			frappe.delete_doc("Cadence Webhook", made["name"])
		self.assertEqual(frappe.db.get_value("Cadence Webhook", mine.name, "url"), self.base + "/ops2")
		self.assertEqual(
			get_decrypted_password("Cadence Webhook", mine.name, "auth_token", False), "Bearer OPS"
		)
		self.assertFalse(frappe.db.exists("Cadence Webhook", made["name"]))

	def test_a_sales_manager_uses_an_existing_enabled_webhook_and_it_sends(self):
		manager = make_user("cadence-sandbox-sm@example.test", "Sales Manager")
		with self.set_user(manager):
			cadence = self.cadence(self.webhook_step(body='{"card": {{ doc.name | tojson }}}')).name
		lead = self.enrolled_lead(cadence)
		sender.send_due_steps()
		self.assertEqual(
			only_enrollment(lead).steps[0].status, "Sent", only_enrollment(lead).steps[0].last_error
		)
		self.assertEqual([json.loads(c["body"]) for c in Stub.calls], [{"card": lead}])
		self.assertEqual(Stub.calls[0]["headers"]["Authorization"], WEBHOOK_SECRET)
		off = frappe.get_doc(
			{
				"doctype": "Cadence Webhook",
				"title": unique("Retired"),
				"url": self.base + "/old",
				"enabled": 0,
			}
		).insert()
		with self.set_user(manager):
			missing = frappe.get_doc(
				{
					"doctype": "Cadence",
					"cadence_name": unique("Nowhere"),
					"steps": [dict(self.webhook_step(), webhook="https://93.184.216.34/collect")],
				}
			)
			self.assertRaises(frappe.LinkValidationError, missing.insert)
			disabled = frappe.get_doc(
				{
					"doctype": "Cadence",
					"cadence_name": unique("Old"),
					"steps": [dict(self.webhook_step(), webhook=off.name)],
				}
			)
			with self.assertRaises(frappe.ValidationError) as caught:
				disabled.insert()
			for part in ("Step 1", "Webhook", off.name, "disabled"):
				self.assertIn(part, str(caught.exception))
			# a cadence saved earlier keeps its step when the webhook is disabled later, and other
			# edits still save; a step switched to the disabled webhook is refused
			doc = frappe.get_doc("Cadence", cadence)
			doc.description = "still editable"
			doc.save()
		frappe.db.set_value("Cadence Webhook", self.webhook.name, "enabled", 0)
		try:
			with self.set_user(manager):
				doc = frappe.get_doc("Cadence", cadence)
				doc.description = "edited after the webhook was disabled"
				doc.save()
				doc.steps[0].webhook = off.name
				self.assertRaises(frappe.ValidationError, doc.save)
			# nothing is sent to a disabled webhook: the step fails with the reason
			Stub.calls = []
			later = self.enrolled_lead(cadence)
			self.assertEqual(sender.send_step(only_enrollment(later).steps[0].name), "Failed")
		finally:
			frappe.db.set_value("Cadence Webhook", self.webhook.name, "enabled", 1)
		self.assertEqual(Stub.calls, [])
		self.assertIn("disabled", only_enrollment(later).steps[0].last_error)

	def test_webhooks_set_up_by_others_before_the_update_are_disabled_for_review(self):
		"""Webhooks a Sales or Funnel Manager created or last changed before only System Managers
		could are disabled by the update (they may point at the manager's own host) with a comment
		saying why; a System Manager checks the URL and enables them again."""
		from funnel_suite.funnel_cadences.patches import disable_webhooks_set_up_by_others as patch

		manager = make_user("cadence-sandbox-sm@example.test", "Sales Manager")
		admin = make_user("cadence-sandbox-sys@example.test", "System Manager")
		hooks = {}
		for key, owner, modified_by in (
			("planted", manager, manager),
			("repointed", admin, manager),
			("ops", admin, admin),
			("root", "Administrator", "Administrator"),
		):
			hook = frappe.get_doc(
				{"doctype": "Cadence Webhook", "title": unique(key), "url": f"{self.base}/{key}"}
			).insert()
			frappe.db.set_value(
				"Cadence Webhook",
				hook.name,
				{"owner": owner, "modified_by": modified_by},
				update_modified=False,
			)
			hooks[key] = hook.name
		patch.execute()
		state = {k: frappe.db.get_value("Cadence Webhook", v, "enabled") for k, v in hooks.items()}
		self.assertEqual(state, {"planted": 0, "repointed": 0, "ops": 1, "root": 1})
		self.assertEqual(frappe.db.get_value("Cadence Webhook", self.webhook.name, "enabled"), 1)
		note = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Cadence Webhook", "reference_name": hooks["planted"]},
			pluck="content",
		)
		self.assertEqual(len(note), 1)
		self.assertIn(manager, note[0])
		self.assertIn("System Manager", note[0])
		patch.execute()  # a second run changes nothing and comments nothing twice
		self.assertEqual(
			frappe.db.count(
				"Comment",
				{"reference_doctype": "Cadence Webhook", "reference_name": ("in", list(hooks.values()))},
			),
			2,
		)

	# --- templates run in the cadence sandbox (issue 17, item 1) ------------------------------------

	def sms_step(self, message):
		return {"wait_value": 0, "wait_unit": "Hours", "channel": "Telegram", "message": message}

	def test_template_injection_is_refused_at_save_as_a_sales_manager(self):
		manager = make_user("cadence-sandbox-sm@example.test", "Sales Manager")
		frappe.db.set_value("User", "Administrator", "api_key", "ADMIN-API-KEY-123")
		payloads = [
			"{{ frappe.throw(frappe.db.sql('select name, api_key from `tabUser`')|string) }}",
			"{{ frappe.db.sql('select name, api_key from `tabUser`') }}",
			"{{ frappe.db.set_value('User', 'Administrator', 'first_name', 'pwned') }}",
			"{{ frappe.get_doc('User', 'Administrator').api_key }}",
			"{{ frappe.make_get_request('http://169.254.169.254/latest/meta-data/') }}",
			"{{ ''.__class__.__mro__ }}",
			"{{ ''.__class__.__mro__[1].__subclasses__() }}",
			"{{ doc.__class__ }}",
			"{{ doc['__class__'] }}",
			"{{ doc.name.__class__ }}",
			"{{ cycler.__init__.__globals__ }}",
			"{{ joiner.__init__.__globals__.os }}",
			"{{ namespace.__init__.__globals__ }}",
			"{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
			"{{ lipsum.__globals__['os'].popen('id').read() }}",
			"{{ lipsum() }}",
			"{{ range(10)|list }}",
			"{{ url_for.__globals__ }}",
			"{{ config.items() }}",
			"{{ request.environ }}",
			"{{ self.__init__.__globals__ }}",
			"{{ self }}",
			"{{ doc|attr('__class__') }}",
			"{{ doc.first_name.upper() }}",
			"{{ '%s' % doc.name }}",
			"{{ 'x' * 100000000 }}",
			"{{ 9 ** 9999999 }}",
			"{% set x = doc.name %}{{ x }}",
			"{% import 'templates/includes/macros.html' as m %}",
			"{% include 'templates/includes/footer.html' %}",
			"{% extends 'templates/web.html' %}",
			"{% macro m() %}x{% endmacro %}",
			"{{ doc.items|map(attribute='__class__')|list }}",
			"{% for a in doc.x %}{% for b in doc.y %}{% for c in doc.z %}{% endfor %}{% endfor %}{% endfor %}",
		]
		steps = [self.sms_step(p) for p in payloads]
		steps += [{**self.sms_step(p), "channel": "SMS"} for p in payloads[:3]]
		steps += [
			self.webhook_step(
				body='{"rows": {{ frappe.db.sql("select name, api_key from `tabUser`")|tojson }}}'
			),
			self.webhook_step(body='{"a": {{ doc.__class__.__mro__|string|tojson }}}'),
		]
		with self.set_user(manager):
			self.assertTrue(frappe.has_permission("Cadence", "create"))
			for step in steps:
				text = step.get("message") or step.get("body_template")
				doc = frappe.get_doc({"doctype": "Cadence", "cadence_name": unique("Evil"), "steps": [step]})
				with self.assertRaises(frappe.ValidationError, msg=text) as caught:
					doc.insert()
				message = str(caught.exception)
				self.assertIn("Step 1", message, text)
				self.assertNotIn("ADMIN-API-KEY", message, text)
				self.assertNotIn("Administrator", message, text)
				self.assertFalse(frappe.db.exists("Cadence", {"cadence_name": doc.cadence_name}))
		self.assertNotEqual(frappe.db.get_value("User", "Administrator", "first_name"), "pwned")

	def test_refusal_messages_name_the_step_field_and_what_is_allowed(self):
		cases = [
			("Hi {{ frappe.db.sql('x') }}", "cannot call functions"),
			("{{ doc.__class__ }}", "is not allowed"),
			("{{ frappe }}", "unknown name"),
			("{{ doc.name|attr('x') }}", "there is no filter"),
			("{% set a = 1 %}", "is not allowed"),
			("{{ doc.name ", "cannot be rendered"),
			("{{ doc.name * 5000 }}", "too large"),
		]
		for message, expected in cases:
			doc = frappe.get_doc(
				{
					"doctype": "Cadence",
					"cadence_name": unique("Bad"),
					"steps": [self.email_step(1), self.sms_step(message)],
				}
			)
			with self.assertRaises(frappe.ValidationError) as caught:
				doc.insert()
			self.assertIn("Step 2", str(caught.exception))
			self.assertIn("Message", str(caught.exception))
			self.assertIn(expected, str(caught.exception), message)

	def test_a_normal_template_renders_the_cards_values_for_a_sales_manager(self):
		manager = make_user("cadence-sandbox-sm@example.test", "Sales Manager")
		message = (
			"Hi {{ doc.first_name|upper }} ({{ funnel|length > 0 }}, {{ stage }}), "
			"{{ doc.no_such_field|default('-') }} {{ doc.creation|date('%Y') }} "
			"{% if doc.telegram_chat_id %}chat {{ doc.telegram_chat_id }}{% endif %} {{ doc.get_doc }}|{{ card.name == doc.name }}"
		)
		with self.set_user(manager):
			cadence = self.cadence(self.sms_step(message)).name
		lead = self.enrolled_lead(cadence, first_name="Taras", telegram_chat_id="555")
		sender.send_due_steps()
		self.assertEqual(
			only_enrollment(lead).steps[0].status, "Sent", only_enrollment(lead).steps[0].last_error
		)
		year = str(now_datetime().year)
		self.assertEqual(
			json.loads(Stub.calls[0]["body"])["text"], f"Hi TARAS (True, Nurturing), - {year} chat 555 |True"
		)

	def test_a_template_stored_before_the_sandbox_is_inert_at_send(self):
		"""Templates saved before validation existed (or written around it) are refused at send:
		the step fails without a request, and nothing of the database reaches the message."""
		cadence = self.cadence(self.sms_step("Hi"))
		row = cadence.steps[0].name
		frappe.db.set_value(
			"Cadence Step", row, "message", "{{ frappe.db.sql('select name, api_key from `tabUser`') }}"
		)
		frappe.clear_document_cache("Cadence", cadence.name)
		lead = self.enrolled_lead(cadence.name, telegram_chat_id="31337")
		self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Failed")
		self.assertEqual(Stub.calls, [])
		error = only_enrollment(lead).steps[0].last_error
		self.assertIn("cannot call functions", error)
		self.assertNotIn("Administrator", error)

	def test_the_output_of_a_template_is_bounded_at_send(self):
		cadence = self.cadence(self.sms_step("Hi"))
		frappe.db.set_value(
			"Cadence Step", cadence.steps[0].name, "message", "{{ doc.first_name * 4000 }}" * 3
		)
		frappe.clear_document_cache("Cadence", cadence.name)
		lead = self.enrolled_lead(cadence.name, first_name="Abcde", telegram_chat_id="8")
		self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Failed")
		self.assertEqual(Stub.calls, [])
		self.assertIn("too large", only_enrollment(lead).steps[0].last_error)

	# --- outbound requests (issue 17, item 7) --------------------------------------------------------

	def test_private_targets_are_refused_unless_allow_listed(self):
		admin = make_user("cadence-sandbox-sys@example.test", "System Manager")  # sets webhooks up
		port = self.server.server_address[1]
		refused = [
			"http://169.254.169.254/latest/meta-data/",
			"http://10.0.0.5/hook",
			"http://192.168.1.1/hook",
			"http://172.16.0.1/hook",
			"http://100.64.0.1/hook",
			"http://127.0.0.2/hook",
			f"http://localhost:{port}/hook",
			"http://0.0.0.0/hook",
			"http://2130706433/hook",
			"http://0x7f000001/hook",
			"http://224.0.0.1/hook",
			"http://[::1]/hook",
			"http://[::ffff:127.0.0.1]/hook",
			"http://[::ffff:169.254.169.254]/hook",
			"http://[fe80::1]/hook",
			"http://[fd00::1]/hook",
			"http://[::]/hook",
			f"{self.base}/hook",  # the stub itself, once it is off the allow-list
		]
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "")
		with self.set_user(admin):
			for url in refused:
				doc = frappe.get_doc({"doctype": "Cadence Webhook", "title": unique("Inner"), "url": url})
				with self.assertRaises(frappe.ValidationError, msg=url) as caught:
					doc.insert()
				self.assertIn("Allowed Private Hosts", str(caught.exception), url)
			for url in ("gopher://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@example.test/x"):
				doc = frappe.get_doc({"doctype": "Cadence Webhook", "title": unique("Odd"), "url": url})
				self.assertRaises(frappe.ValidationError, doc.insert)
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "127.0.0.1")
		with self.set_user(admin):
			allowed = frappe.get_doc(
				{"doctype": "Cadence Webhook", "title": unique("Stub"), "url": f"{self.base}/ok"}
			).insert()
			public = frappe.get_doc(
				{"doctype": "Cadence Webhook", "title": unique("Public"), "url": "https://93.184.216.34/hook"}
			).insert()
		self.assertTrue(allowed.name and public.name)

	def test_a_target_that_is_no_longer_allowed_is_not_called(self):
		lead = self.enrolled_lead(self.cadence(self.webhook_step()).name)
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "")
		try:
			self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Queued")
		finally:
			frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "127.0.0.1")
		self.assertEqual(Stub.calls, [])
		error = only_enrollment(lead).steps[0].last_error
		self.assertIn("127.0.0.1", error)
		self.assertIn("Allowed Private Hosts", error)
		self.assertNotIn("WEBHOOK-SECRET", error)

	def test_a_name_that_resolves_differently_at_connect_time_is_refused(self):
		"""DNS rebinding: the check sees a public address, the connection lands on 127.0.0.1."""
		from unittest.mock import patch

		from funnel_suite.funnel_cadences import outbound

		port = self.server.server_address[1]
		hook = frappe.get_doc(
			{"doctype": "Cadence Webhook", "title": unique("Rebind"), "url": self.base + "/hook"}
		).insert()
		hook.db_set("url", f"http://localhost:{port}/hook")
		lead = self.enrolled_lead(self.cadence(dict(self.webhook_step(), webhook=hook.name)).name)
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "")
		try:
			with patch.object(outbound, "resolve", return_value=["93.184.216.34"]):
				sender.send_step(only_enrollment(lead).steps[0].name)
		finally:
			frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "127.0.0.1")
		self.assertEqual(Stub.calls, [])
		error = only_enrollment(lead).steps[0].last_error
		self.assertIn("localhost (127.0.0.1)", error)
		self.assertIn("Allowed Private Hosts", error)

	def test_redirects_are_not_followed(self):
		Stub.mode = "redirect"
		self.webhook.db_set("max_attempts", 1)
		try:
			lead = self.enrolled_lead(self.cadence(self.webhook_step()).name)
			self.assertEqual(sender.send_step(only_enrollment(lead).steps[0].name), "Failed")
		finally:
			self.webhook.db_set("max_attempts", 3)
		self.assertEqual([c["path"] for c in Stub.calls], ["/hook"])
		self.assertIn("HTTP 302", only_enrollment(lead).steps[0].last_error)
		self.assertIn("redirect", only_enrollment(lead).steps[0].last_error)

	def test_a_system_manager_repoints_a_webhook_and_keeps_its_secret(self):
		"""Only a System Manager repoints a webhook (test_only_a_system_manager_sets_up_webhooks
		shows the refusals): the stored auth value stays, and goes to the new address."""
		admin = make_user("cadence-sandbox-sys@example.test", "System Manager")
		with self.set_user(admin):
			doc = frappe.get_doc(
				{
					"doctype": "Cadence Webhook",
					"title": unique("Secret hook"),
					"url": self.base + "/hook",
					"auth_token": WEBHOOK_SECRET,
				}
			).insert()
			doc = frappe.get_doc("Cadence Webhook", doc.name)
			doc.url = self.base + "/moved"
			doc.save()
		self.assertEqual(
			get_decrypted_password("Cadence Webhook", doc.name, "auth_token", False), WEBHOOK_SECRET
		)
		lead = self.enrolled_lead(self.cadence(dict(self.webhook_step(), webhook=doc.name)).name)
		sender.send_step(only_enrollment(lead).steps[0].name)
		self.assertEqual(
			[(c["path"], c["headers"].get("Authorization")) for c in Stub.calls], [("/moved", WEBHOOK_SECRET)]
		)

	def test_only_a_system_manager_changes_telegram_and_the_allow_list(self):
		funnel_manager = make_user("cadence-sandbox-fm@example.test", "Funnel Manager")
		admin = make_user("cadence-sandbox-sys@example.test", "System Manager")
		for fieldname, value in (
			("telegram_base_url", "https://attacker.example"),
			("telegram_bot_token", "999:OTHER"),
			("outbound_allow_list", "127.0.0.1\n10.0.0.0/8"),
		):
			with self.set_user(funnel_manager):
				settings = frappe.get_doc("Cadence Settings")
				settings.set(fieldname, value)
				with self.assertRaises(frappe.PermissionError, msg=fieldname) as caught:
					settings.save()
				self.assertIn("Only a System Manager", str(caught.exception))
		self.assertEqual(frappe.db.get_single_value("Cadence Settings", "telegram_base_url"), self.base)
		self.assertEqual(
			get_decrypted_password("Cadence Settings", "Cadence Settings", "telegram_bot_token", False),
			BOT_TOKEN,
		)
		self.assertEqual(frappe.db.get_single_value("Cadence Settings", "outbound_allow_list"), "127.0.0.1")
		with self.set_user(funnel_manager):  # the rest stays theirs
			settings = frappe.get_doc("Cadence Settings")
			settings.max_attempts = 2
			settings.save()
		self.assertEqual(frappe.db.get_single_value("Cadence Settings", "max_attempts"), 2)
		with self.set_user(admin):
			settings = frappe.get_doc("Cadence Settings")
			settings.outbound_allow_list = "127.0.0.1, crm.internal\n# test stub\n10.1.0.0/16"
			settings.max_attempts = 3
			settings.save()
			settings.outbound_allow_list = "not a host!"
			self.assertRaises(frappe.ValidationError, settings.save)
		self.assertEqual(
			frappe.db.get_single_value("Cadence Settings", "outbound_allow_list"),
			"127.0.0.1\ncrm.internal\n10.1.0.0/16",
		)
		frappe.db.set_single_value("Cadence Settings", "outbound_allow_list", "127.0.0.1")

	def test_telegram_and_sms_targets_are_checked_at_send(self):
		frappe.db.set_single_value("Cadence Settings", "telegram_base_url", "http://169.254.169.254")
		try:
			lead = self.enrolled_lead(self.cadence(self.sms_step("Hi")).name, telegram_chat_id="1")
			sender.send_step(only_enrollment(lead).steps[0].name)
		finally:
			frappe.db.set_single_value("Cadence Settings", "telegram_base_url", self.base)
		error = only_enrollment(lead).steps[0].last_error
		self.assertIn("169.254.169.254", error)
		self.assertIn("Allowed Private Hosts", error)  # refused before any connection
		self.assertNotIn(BOT_TOKEN, error)
		sms = frappe.get_doc("SMS Settings")
		sms.update(
			{
				"sms_gateway_url": "http://10.20.30.40/sms",
				"message_parameter": "text",
				"receiver_parameter": "to",
				"use_post": 1,
			}
		)
		sms.save()
		lead = self.enrolled_lead(
			self.cadence({**self.sms_step("Hi"), "channel": "SMS"}).name, mobile_no="+380501234567"
		)
		sender.send_step(only_enrollment(lead).steps[0].name)
		self.assertIn("10.20.30.40", only_enrollment(lead).steps[0].last_error)
		self.assertIn("Allowed Private Hosts", only_enrollment(lead).steps[0].last_error)
		self.assertEqual(Stub.calls, [])
