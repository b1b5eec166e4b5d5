"""Website inquiries (`funnel_suite.api.public_intake`) as a Guest: off by default, limited per
IP address by the host's rate limiter, matched like the intake, answers that reveal nothing."""

from contextlib import contextmanager

import frappe
from frappe.utils import set_request

from funnel_suite.api import intake, public_intake, qualify_lead
from funnel_suite.funnel_qualification.public import PublicIntakeOff
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_user, unique

CMD = "funnel_suite.api.public_intake"


def email() -> str:
	return f"{frappe.generate_hash(length=10)}@web.example"


def leads_with(address: str) -> list[str]:
	return frappe.get_all("Lead", filters={"email_id": address}, pluck="name")


class TestPublicIntake(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "default_phone_region", "UA")
		cls.service = make_user("funnel-web-intake@example.test", "Funnel Intake", "Sales User")
		cls.funnel_manager = make_user("funnel-web-manager@example.test", "Funnel Manager")
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")

	def setUp(self):
		self.ips: set[str] = set()

	def tearDown(self):
		for ip in self.ips:  # the limiter's counters live in Redis, outside the rolled-back transaction
			frappe.cache.delete(frappe.cache.make_key(f"rl:{CMD}:{ip}"))
		frappe.local.request = None
		frappe.local.request_ip = None

	def switch(self, on: bool = True, user: str | None = "service", limit: int = 5, window: int = 60):
		settings = frappe.get_doc("Funnel Settings")
		settings.public_intake_enabled = int(on)
		settings.public_intake_user = self.service if user == "service" else user
		settings.public_intake_limit = limit
		settings.public_intake_window = window
		settings.save()
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")

	@contextmanager
	def visitor(self, ip: str = "203.0.113.10"):
		"""A Guest's POST from `ip`, as the host's request handler sets it up."""
		self.ips.add(ip)
		with self.set_user("Guest"):
			set_request(method="POST", path=f"/api/method/{CMD}")
			frappe.local.request_ip = ip
			try:
				yield
			finally:
				frappe.local.request = None

	def post(self, **kwargs):
		frappe.form_dict.cmd = CMD  # the host's handler puts the method here; the limiter keys by it
		return public_intake(**kwargs)

	def test_off_by_default_and_refused(self):
		self.assertEqual(frappe.get_meta("Funnel Settings").get_field("public_intake_enabled").default, "0")
		self.switch(on=False)
		address = email()
		with self.visitor():
			with self.assertRaises(PublicIntakeOff) as ctx:
				self.post(person_name="Olga", email=address)
		self.assertEqual(ctx.exception.http_status_code, 403)
		self.assertEqual(leads_with(address), [])

	def test_a_website_inquiry_becomes_a_lead_of_the_intake_user(self):
		self.switch()
		address = email()
		with self.visitor():
			answer = self.post(
				person_name="Olga Web",
				email=address,
				phone="067 555 12 34",
				text="Need a kitchen",
				utm_source="ads",
			)
			self.assertEqual(frappe.session.user, "Guest", "the visitor stays a Guest")
		self.assertEqual(answer["status"], "received")
		self.assertEqual(set(answer), {"status", "message"})
		(name,) = leads_with(address)
		lead = frappe.get_doc("Lead", name)
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		self.assertEqual(
			(lead.owner, lead.mobile_no, lead.funnel, lead.funnel_stage, lead.funnel_utm_source),
			(self.service, "+380675551234", funnel.name, funnel.stages[0].stage_name, "ads"),
		)
		self.assertEqual(lead.company, frappe.defaults.get_global_default("company"))
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_name": name, "content": ("like", "%Website%Need a kitchen%")}
			)
		)

	def test_a_known_customer_gets_a_deal_and_the_same_answer_as_a_stranger(self):
		self.switch()
		known = email()
		lead = intake(person_name="Marta", company_name=unique("Bakery"), email=known)["name"]
		customer = qualify_lead(lead)["customer"]
		deals = frappe.db.count("Opportunity", {"party_name": customer})
		with self.visitor():
			for_known = self.post(email=known.upper(), text="A second oven")
			for_stranger = self.post(email=email(), text="A first oven")
		self.assertEqual(for_known, for_stranger)
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), deals + 1)
		deal = frappe.get_last_doc("Opportunity", filters={"party_name": customer})
		self.assertEqual(deal.owner, self.service)

	def test_the_limit_gives_429_and_writes_nothing(self):
		self.switch(limit=2, window=10)
		first, second, third = email(), email(), email()
		with self.visitor("203.0.113.20"):
			self.post(email=first)
			self.post(email=second)
			leads = frappe.db.count("Lead")
			with self.assertRaises(frappe.RateLimitExceededError) as ctx:
				self.post(email=third, text="one too many")
		self.assertEqual(ctx.exception.http_status_code, 429)
		self.assertIn("at most 2 in 10 minutes", str(ctx.exception))
		self.assertEqual((frappe.db.count("Lead"), leads_with(third)), (leads, []))
		with self.visitor("203.0.113.21"):  # another address is not held up
			self.post(email=third)
		self.assertEqual(len(leads_with(third)), 1)

	def test_bad_input_is_refused_and_nothing_is_written(self):
		self.switch(limit=50)
		leads = frappe.db.count("Lead")
		with self.visitor("203.0.113.30"):
			for kwargs, fragment in (
				({"person_name": "Olga"}, "email or a phone"),
				({"email": "olga@@example"}, "olga@@example"),
				({"email": email(), "person_name": "x" * 141}, "Name</strong> may be at most 140"),
				({"email": email(), "text": "x" * 5001}, "5000"),
				({"phone": "call me maybe"}, "call me maybe"),
			):
				with self.assertRaises(frappe.ValidationError) as ctx:
					self.post(**kwargs)
				self.assertIn(fragment, str(ctx.exception))
		self.assertEqual(frappe.db.count("Lead"), leads)

	def test_only_a_system_manager_switches_it_on_for_a_funnel_intake_user(self):
		self.switch(on=False)
		with self.set_user(self.funnel_manager):
			settings = frappe.get_doc("Funnel Settings")
			settings.public_intake_enabled = 1
			settings.public_intake_user = self.service
			settings.save()  # the host drops the change: the fields are System Manager's (permlevel 1)
		self.assertEqual(frappe.db.get_single_value("Funnel Settings", "public_intake_enabled"), 0)
		with self.set_user(self.funnel_manager):
			settings = frappe.get_doc("Funnel Settings")
			settings.public_intake_enabled = 1
			settings.flags.ignore_permissions = True  # even on a path that skips the host's check
			with self.assertRaises(frappe.PermissionError):
				settings.save()
		for user, fragment in ((None, "Take Inquiries In As"), (self.funnel_manager, "Funnel Intake")):
			with self.assertRaises(frappe.ValidationError) as ctx:
				self.switch(user=user)
			self.assertIn(fragment, str(ctx.exception))
		with self.assertRaises(frappe.ValidationError):
			self.switch(limit=0 - 1)


class TestPublicIntakeOverHttp(FunnelTestCase):
	"""The same door through the host's real request handling (a test client in its own thread, as
	Frappe's API tests do): the status codes a website sees. Settings are committed for the request
	to see them and put back afterwards; these requests write no Lead."""

	IP = "198.51.100.77"
	FIELDS = ("public_intake_enabled", "public_intake_user", "public_intake_limit", "public_intake_window")

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		from frappe.utils import get_test_client

		cls.client = get_test_client()
		cls.service = make_user("funnel-web-intake-http@example.test", "Funnel Intake", "Sales User")
		cls.saved = frappe.db.get_value("Funnel Settings", "Funnel Settings", cls.FIELDS, as_dict=True)
		frappe.db.commit()

	@classmethod
	def tearDownClass(cls):
		for field in cls.FIELDS:
			frappe.db.set_single_value("Funnel Settings", field, cls.saved[field])
		frappe.delete_doc("User", cls.service, force=True, ignore_permissions=True)
		frappe.db.commit()
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
		frappe.cache.delete(frappe.cache.make_key(f"rl:{CMD}:{cls.IP}"))
		super().tearDownClass()

	def settings(self, **values):
		for field, value in values.items():
			frappe.db.set_single_value("Funnel Settings", field, value)
		frappe.db.commit()
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")

	def post(self, data: dict):
		from frappe.tests.test_api import make_request

		return make_request(
			target=self.client.post,
			args=(f"/api/method/{CMD}",),
			kwargs={"data": data, "headers": {"X-Forwarded-For": self.IP}},
		)

	def test_status_codes_off_invalid_and_over_the_limit(self):
		self.settings(public_intake_enabled=0)
		address = email()
		response = self.post({"email": address})
		self.assertEqual((response.status_code, response.json["exc_type"]), (403, "PublicIntakeOff"))
		self.settings(
			public_intake_enabled=1,
			public_intake_user=self.service,
			public_intake_limit=1,
			public_intake_window=5,
		)
		response = self.post({"email": "olga@@example"})  # refused, and it counts
		self.assertEqual(response.status_code, 417)
		response = self.post({"email": address, "text": "over the limit"})
		self.assertEqual(response.status_code, 429)
		self.assertIn("at most 1 in 5 minutes", response.get_data(as_text=True))
		self.assertEqual(leads_with(address), [])
