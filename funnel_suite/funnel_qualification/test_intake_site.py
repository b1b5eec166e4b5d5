"""One door for every inbound contact: created / existing / returning, idempotent, duplicate-safe."""

import threading

import frappe

from funnel_suite.api import disqualify_lead, intake, qualify_lead
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_user


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
