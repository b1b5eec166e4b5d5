"""One door for every inbound contact: created / existing / returning, idempotent, duplicate-safe."""

import threading

import frappe

from funnel_suite.api import disqualify_lead, intake, qualify_lead
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_lead, make_user, other_company, unique


def email() -> str:
	return f"{frappe.generate_hash(length=10)}@intake.example"


def keys_of(doctype, name):
	return sorted(
		(r.key_type, r.key_value)
		for r in frappe.get_all(
			"Funnel Contact Key",
			filters={"reference_doctype": doctype, "reference_name": name},
			fields=["key_type", "key_value"],
		)
	)


class TestIntake(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "default_phone_region", "UA")
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")

	def test_unknown_contact_becomes_a_lead_in_the_entry_stage(self):
		address = email()
		result = intake(
			person_name="Olga Petrenko",
			email=f"  {address.upper()} ",
			phone="067 123 45 67",
			source="Website",
			utm_source="google",
			need="A kitchen",
			text="Call me",
		)
		self.assertEqual(
			(result["status"], result["doctype"], result["matched_by"]), ("created", "Lead", None)
		)
		lead = frappe.get_doc("Lead", result["name"])
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		self.assertEqual(
			(lead.email_id, lead.mobile_no, lead.funnel, lead.funnel_stage),
			(address, "+380671234567", funnel.name, funnel.stages[0].stage_name),
		)
		self.assertEqual(lead.funnel_utm_source, "google")
		self.assertEqual(keys_of("Lead", lead.name), [("email", address), ("phone", "+380671234567")])
		self.assertTrue(
			frappe.db.exists("Comment", {"reference_name": lead.name, "content": ("like", "%A kitchen%")})
		)

	def test_known_lead_gets_the_inquiry_instead_of_a_duplicate(self):
		address = email()
		first = intake(person_name="Ivan", email=address, phone="+380 67 765 43 21")
		owner = make_user("funnel-intake-owner@example.test", "Sales User")
		frappe.db.set_value("Lead", first["name"], "lead_owner", owner)
		leads = frappe.db.count("Lead")
		by_phone = intake(person_name="Ivan K.", phone="0677654321", text="Second message")
		self.assertEqual(
			(by_phone["status"], by_phone["name"], by_phone["matched_by"]),
			("existing", first["name"], "phone"),
		)
		by_email = intake(email=address.upper())
		self.assertEqual((by_email["name"], by_email["matched_by"]), (first["name"], "email"))
		self.assertEqual(frappe.db.count("Lead"), leads)
		self.assertTrue(
			frappe.db.exists("Notification Log", {"for_user": owner, "document_name": first["name"]})
		)

	def test_a_customer_gets_a_new_deal(self):
		address = email()
		lead = intake(person_name="Marta", company_name="Marta Bakery", email=address)["name"]
		customer = qualify_lead(lead)["customer"]
		result = intake(email=address, text="We need a second oven")
		self.assertEqual(
			(result["status"], result["doctype"], result["matched_by"]), ("existing", "Opportunity", "email")
		)
		deal = frappe.get_doc("Opportunity", result["name"])
		self.assertEqual(
			(deal.opportunity_from, deal.party_name, deal.funnel),
			("Customer", customer, default_funnel("Opportunity")),
		)

	def test_an_archived_lead_returns_with_its_history(self):
		address = email()
		lead = intake(person_name="Petro", email=address)["name"]
		disqualify_lead(lead, "No budget")
		result = intake(email=address, text="Now we have budget")
		self.assertEqual((result["status"], result["name"]), ("returning", lead))
		doc = frappe.get_doc("Lead", lead)
		entry = frappe.get_doc("Funnel", doc.funnel).stages[0].stage_name
		self.assertEqual((doc.funnel_archived, doc.funnel_returning, doc.funnel_stage), (0, 1, entry))
		self.assertEqual(doc.funnel_disqualification_reason, "No budget", "history kept")

	def test_same_external_id_returns_the_same_record(self):
		first = intake(person_name="Hook", email=email(), external_id="form-42")
		comments = frappe.db.count("Comment", {"reference_name": first["name"]})
		again = intake(person_name="Hook", email=email(), external_id="form-42")
		self.assertEqual(
			(again["status"], again["name"], again["matched_by"]), ("existing", first["name"], "external_id")
		)
		self.assertEqual(frappe.db.count("Comment", {"reference_name": first["name"]}), comments)

	def test_bad_input_is_refused_and_nothing_is_half_created(self):
		leads = frappe.db.count("Lead")
		for kwargs, fragment in (
			({}, "email, a phone or a name"),
			({"email": "olga@@example"}, "olga@@example"),
			({"phone": "call me maybe"}, "call me maybe"),
		):
			with self.assertRaises(frappe.ValidationError) as ctx:
				intake(**kwargs)
			self.assertIn(fragment, str(ctx.exception))
		flagged = intake(email=email(), phone="call me maybe")  # with an email: kept as given and flagged
		self.assertEqual(
			frappe.db.get_value("Lead", flagged["name"], ["mobile_no", "funnel_phone_as_given"]),
			(None, "call me maybe"),
		)
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_name": flagged["name"], "content": ("like", "%could not be read%")}
			)
		)
		self.assertEqual(frappe.db.count("Lead"), leads + 1)

	def test_guest_and_users_without_lead_create_cannot_call_it(self):
		for user in ("Guest", make_user("funnel-intake-reader@example.test", "Accounts User")):
			with self.set_user(user):
				with self.assertRaises(frappe.PermissionError):
					intake(email=email())

	def test_key_table_follows_the_documents(self):
		lead = intake(person_name="Keys", email=email())["name"]
		new = email()
		doc = frappe.get_doc("Lead", lead)
		doc.email_id = new
		doc.save()
		self.assertEqual(keys_of("Lead", lead), [("email", new)])
		frappe.delete_doc("Lead", lead, force=True)
		self.assertEqual(keys_of("Lead", lead), [])


class TestParallelIntake(FunnelTestCase):
	"""Two requests for the same person at the same moment, phone written differently: one Lead."""

	def test_two_parallel_requests_make_one_lead(self):
		address = email()
		site = frappe.local.site
		region = frappe.db.get_single_value("Funnel Settings", "default_phone_region")
		frappe.db.set_single_value("Funnel Settings", "default_phone_region", "UA")
		frappe.db.commit()
		barrier = threading.Barrier(2)
		results: list = [None, None]

		def worker(index: int, phone: str):
			frappe.init(site=site)
			frappe.connect()
			try:
				frappe.set_user("Administrator")
				barrier.wait(timeout=30)
				results[index] = intake(person_name="Twin", email=None if index else address, phone=phone)
				frappe.db.commit()
			except Exception as exc:
				frappe.db.rollback()
				results[index] = exc
			finally:
				frappe.destroy()

		threads = [
			threading.Thread(target=worker, args=(0, "+380 50 111 22 33")),
			threading.Thread(target=worker, args=(1, "050-111-22-33")),
		]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		try:
			frappe.db.rollback()
			self.assertTrue(all(isinstance(r, dict) for r in results), results)
			leads = frappe.get_all("Lead", filters={"mobile_no": "+380501112233"}, pluck="name")
			self.assertEqual(len(leads), 1, results)
			self.assertEqual(sorted(r["status"] for r in results), ["created", "existing"])
		finally:
			for name in frappe.get_all("Lead", filters={"mobile_no": "+380501112233"}, pluck="name"):
				frappe.db.delete("Funnel Transition", {"reference_doctype": "Lead", "reference_name": name})
				frappe.db.delete("Funnel Contact Key", {"reference_doctype": "Lead", "reference_name": name})
				frappe.db.delete("Comment", {"reference_doctype": "Lead", "reference_name": name})
				frappe.db.delete("ToDo", {"reference_type": "Lead", "reference_name": name})
				for contact in frappe.get_all(
					"Dynamic Link",
					filters={"link_doctype": "Lead", "link_name": name, "parenttype": "Contact"},
					pluck="parent",
				):
					frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
				frappe.db.delete("Lead", {"name": name})
			frappe.db.set_single_value("Funnel Settings", "default_phone_region", region)
			frappe.db.commit()


def limit_user(user: str, allow: str, value: str) -> str:
	if not frappe.db.exists("User Permission", {"user": user, "allow": allow, "for_value": value}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": allow, "for_value": value}
		).insert(ignore_permissions=True)
	return user


NEUTRAL = {"status": "received", "doctype": None, "name": None, "matched_by": None}


class TestIntakeScope(FunnelTestCase):
	"""Intake acts with the caller's own rights: it writes only on what the caller may read or
	change, names only what the caller may read, and creates in the caller's company."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "default_phone_region", "UA")
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
		cls.company = frappe.defaults.get_global_default("company")
		cls.other = other_company(cls.company)
		cls.owner = make_user("funnel-intake-lead-owner@example.test", "Sales User")
		# a Sales User of the other company: Lead create, but no read on the first company's leads
		cls.clerk = limit_user(
			make_user("funnel-intake-clerk@example.test", "Sales User"), "Company", cls.other
		)
		cls.seller = make_user("funnel-intake-seller@example.test", "Sales User")
		# the integration user: the intake's role plus the sales role its records need
		cls.service = make_user("funnel-intake-service@example.test", "Funnel Intake", "Sales User")

	def lead_of_first_company(self, address: str):
		return make_lead(email_id=address, company=self.company, lead_owner=self.owner)

	def customer_with_contact(self, address: str) -> str:
		lead = intake(person_name="Marta", company_name=unique("Bakery"), email=address)["name"]
		return qualify_lead(lead)["customer"]

	def test_a_lead_the_caller_cannot_read_is_neither_named_nor_written_on(self):
		address = email()
		lead = self.lead_of_first_company(address)
		comments = frappe.db.count("Comment", {"reference_doctype": "Lead", "reference_name": lead.name})
		with self.set_user(self.clerk):
			self.assertFalse(frappe.has_permission("Lead", "read", lead.name))
			result = intake(email=address, text="Please call me back")
		self.assertEqual(result, NEUTRAL)
		self.assertEqual(
			frappe.db.count("Comment", {"reference_doctype": "Lead", "reference_name": lead.name}), comments
		)
		# the inquiry is not lost: the lead's owner is told, with the message
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": self.owner,
					"document_name": lead.name,
					"email_content": ("like", "%call me back%"),
				},
			)
		)

	def test_an_archived_lead_the_caller_cannot_change_stays_archived(self):
		address = email()
		lead = self.lead_of_first_company(address)
		disqualify_lead(lead.name, "No budget")
		with self.set_user(self.clerk):
			result = intake(email=address)
		self.assertEqual(result, NEUTRAL)
		self.assertEqual(
			frappe.db.get_value("Lead", lead.name, ["funnel_archived", "funnel_returning"]), (1, 0)
		)

	def test_the_same_external_id_names_the_record_only_to_its_readers(self):
		lead = intake(person_name="Hook", email=email(), external_id=unique("form"))["name"]
		external_id = frappe.db.get_value("Lead", lead, "funnel_external_id")
		frappe.db.set_value("Lead", lead, "company", self.company)
		with self.set_user(self.clerk):
			self.assertEqual(intake(email=email(), external_id=external_id), NEUTRAL)
		with self.set_user(self.seller):
			self.assertEqual(intake(email=email(), external_id=external_id)["name"], lead)

	def test_a_reader_of_the_lead_gets_its_name(self):
		address = email()
		lead = self.lead_of_first_company(address)
		with self.set_user(self.seller):
			result = intake(email=address, text="Second message")
		self.assertEqual((result["status"], result["name"]), ("existing", lead.name))

	def test_what_the_caller_creates_is_in_the_callers_company(self):
		with self.set_user(self.clerk):
			result = intake(person_name="New in the other company", email=email())
		self.assertEqual(result["status"], "created")
		self.assertEqual(frappe.db.get_value("Lead", result["name"], "company"), self.other)
		address = email()
		customer = self.customer_with_contact(address)
		deals = frappe.db.count("Opportunity", {"party_name": customer})
		with self.set_user(self.clerk):
			result = intake(email=address, text="A second oven")
		self.assertEqual((result["status"], result["doctype"]), ("existing", "Opportunity"))
		deal = frappe.get_doc("Opportunity", result["name"])
		self.assertEqual((deal.party_name, deal.company, deal.owner), (customer, self.other, self.clerk))
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), deals + 1)

	def test_no_deal_for_a_customer_the_caller_may_not_read(self):
		address = email()
		customer = self.customer_with_contact(address)
		limited = make_user("funnel-intake-one-customer@example.test", "Sales User")
		limit_user(limited, "Customer", self.customer_with_contact(email()))
		deals = frappe.db.count("Opportunity", {"party_name": customer})
		with self.set_user(limited):
			self.assertFalse(frappe.has_permission("Customer", "read", customer))
			result = intake(email=address, text="A third oven")
		self.assertEqual(result, NEUTRAL)
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), deals)

	def test_lead_create_alone_opens_no_deal(self):
		"""A person whose role may only create and read Leads: a customer's new inquiry does not
		become a deal they could not have opened themselves."""
		from frappe.permissions import add_permission, update_permission_property

		role = "Funnel Test Lead Clerk"
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert()
		add_permission("Lead", role, 0)
		update_permission_property("Lead", role, 0, "create", 1)
		clerk = make_user("funnel-intake-lead-clerk@example.test", role)
		address = email()
		customer = self.customer_with_contact(address)
		deals = frappe.db.count("Opportunity", {"party_name": customer})
		try:
			with self.set_user(clerk):
				self.assertFalse(frappe.has_permission("Opportunity", "create"))
				result = intake(email=address, text="Another oven")
				created = intake(person_name="Someone new", email=email())
		finally:
			frappe.clear_cache(doctype="Lead")
		self.assertEqual(result, NEUTRAL)
		self.assertEqual(frappe.db.count("Opportunity", {"party_name": customer}), deals)
		self.assertEqual(created["status"], "created")

	def test_the_funnel_intake_user_runs_the_whole_intake(self):
		self.assertEqual(
			set(frappe.get_roles(self.service)) - {"All", "Guest", "Desk User"},
			{"Funnel Intake", "Sales User"},
		)
		address, returning, known = email(), email(), email()
		archived = intake(person_name="Was here", email=returning)["name"]
		disqualify_lead(archived, "No budget")
		customer = self.customer_with_contact(known)
		with self.set_user(self.service):
			created = intake(person_name="From the website", email=address, source="Website")
			again = intake(email=address, text="Me again")
			back = intake(email=returning, text="Budget found")
			deal = intake(email=known, text="One more oven")
		self.assertEqual((created["status"], created["doctype"]), ("created", "Lead"))
		self.assertEqual((again["status"], again["name"]), ("existing", created["name"]))
		self.assertEqual((back["status"], back["name"]), ("returning", archived))
		self.assertEqual(frappe.db.get_value("Lead", archived, "funnel_archived"), 0)
		self.assertEqual((deal["status"], deal["doctype"]), ("existing", "Opportunity"))
		self.assertEqual(frappe.db.get_value("Opportunity", deal["name"], "party_name"), customer)
