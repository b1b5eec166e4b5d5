"""Stored XSS: every text the app writes around Document.save() is sanitized the host's way.

Each test writes the payloads as the ordinary role that types them (Sales User, Funnel Reviewer,
Funnel Manager, an intake caller) and reads back what was stored: no live markup may remain
(no script, no on* handler, no javascript: URL), and where the host would sanitize the field
the stored value is exactly what the host's sanitizer makes of it.
"""

from __future__ import annotations

import json

import frappe
from bs4 import BeautifulSoup
from frappe.utils.html_utils import sanitize_html

from funnel_suite.api import audit_funnel, disqualify_lead, intake, move_card, review_refusal
from funnel_suite.engine.intake import KEY_EXTERNAL_ID
from funnel_suite.funnels.doctype.funnel.funnel import check_definition
from funnel_suite.funnels.sanitize import sanitized
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lost_reason,
	make_funnel,
	make_opportunity,
	make_user,
	transitions,
	unique,
)

PLAIN = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
ENTITY = "&lt;img src=x onerror=alert(1)&gt;"
JSON_WRAPPED = '"<img src=x onerror=alert(1)>"'
JS_URL = '<a href="javascript:alert(1)">open</a>'
PAYLOADS = (PLAIN, SCRIPT, ENTITY, JSON_WRAPPED, JS_URL)

STAGES = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{"stage_name": "Proposal sent", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


def live_markup(value) -> list[str]:
	"""What in `value` would run if it were inserted as HTML: script/iframe/object tags, on*
	handlers, javascript: URLs. Empty = inert."""
	found = []
	for tag in BeautifulSoup(value or "", "html.parser").find_all(True):
		if tag.name in ("script", "iframe", "object", "embed"):
			found.append(f"<{tag.name}>")
		for attr, attr_value in tag.attrs.items():
			text = " ".join(attr_value) if isinstance(attr_value, list) else str(attr_value)
			if attr.lower().startswith("on"):
				found.append(f"{tag.name}[{attr}]")
			if attr.lower() in ("href", "src", "action", "formaction") and "javascript:" in text.lower():
				found.append(f"{tag.name}[{attr}={text}]")
	return found


class TestStoredXss(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.db.set_single_value("Funnel Settings", "deferred_demand_funnel", None)  # losses stay lost
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
		cls.funnel = make_funnel(stages=STAGES).name
		cls.seller = make_user("funnel-xss-seller@example.test", "Sales User")
		cls.reviewer = make_user("funnel-xss-reviewer@example.test", "Funnel Reviewer")
		cls.funnel_manager = make_user("funnel-xss-manager@example.test", "Funnel Manager")
		cls.lost_reason = ensure_lost_reason()

	def assertInert(self, value, what=""):
		self.assertEqual(live_markup(value), [], f"{what}: {value!r}")

	def assertSanitizedLikeTheHost(self, stored, payload, what=""):
		"""Small Text / Text: the host's sanitize_html (JSON-wrapped values included, see
		funnel_suite.funnels.sanitize); an entity-encoded payload has no markup and stays as typed."""
		self.assertInert(stored, what)
		if payload == ENTITY:
			self.assertEqual(stored, payload, what)
		elif payload != JSON_WRAPPED:
			self.assertEqual(stored, sanitize_html(payload), what)

	def card(self):
		return make_opportunity(funnel=self.funnel, opportunity_owner=self.seller)

	# --- item 2: texts written around Document.save() ---------------------------------------

	def test_move_comment_of_a_sales_user_is_stored_sanitized(self):
		for payload in PAYLOADS:
			card = self.card()
			with self.set_user(self.seller):
				move_card("Opportunity", card.name, "Proposal sent", comment=payload)
			stored = transitions("Opportunity", card.name)[-1].comment
			self.assertSanitizedLikeTheHost(stored, payload, "move comment")

	def test_coaching_note_of_a_reviewer_is_stored_sanitized_everywhere_it_goes(self):
		for payload in PAYLOADS:
			card = self.card()
			move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.lost_reason])
			review = frappe.db.get_value("Refusal Review", {"opportunity": card.name})
			with self.set_user(self.reviewer):
				review_refusal(review, "Returned", note=payload, return_stage="Proposal sent")
			self.assertSanitizedLikeTheHost(
				frappe.db.get_value("Refusal Review", review, "coaching_note"), payload, "coaching note"
			)
			self.assertSanitizedLikeTheHost(
				transitions("Opportunity", card.name)[-1].comment, payload, "move comment"
			)
			for comment in frappe.get_all(
				"Comment",
				filters={"reference_doctype": "Opportunity", "reference_name": card.name},
				pluck="content",
			):
				self.assertInert(comment, "comment")
			for subject in frappe.get_all(
				"Notification Log", filters={"document_name": card.name}, pluck="subject"
			):
				self.assertInert(subject, "notification")

	def test_lost_detail_of_a_sales_user_reaches_the_review_sanitized(self):
		# the reviewer reads it in a read-only Text field, which the desk shows as HTML
		for payload in PAYLOADS:
			card = self.card()
			with self.set_user(self.seller):
				move_card(
					"Opportunity",
					card.name,
					"Deal lost",
					lost_reasons=[self.lost_reason],
					lost_detail=payload,
				)
			stored = frappe.db.get_value("Refusal Review", {"opportunity": card.name}, "lost_detail")
			self.assertSanitizedLikeTheHost(stored, payload, "lost detail")

	def test_disqualification_note_of_a_sales_user_is_stored_sanitized(self):
		lead_funnel = make_funnel(document_type="Lead", stages=STAGES).name
		for payload in PAYLOADS:
			with self.set_user(self.seller):
				lead = frappe.get_doc(
					{"doctype": "Lead", "first_name": unique("Lead"), "funnel": lead_funnel}
				).insert()
				disqualify_lead(lead.name, "No budget", note=payload)
			stored = frappe.db.get_value("Lead", lead.name, "funnel_disqualification_note")
			self.assertSanitizedLikeTheHost(stored, payload, "disqualification note")
			self.assertInert(transitions("Lead", lead.name)[-1].comment, "move comment")

	def test_intake_external_id_is_stored_as_the_host_stores_a_data_field(self):
		for payload in PAYLOADS:
			with self.set_user(self.seller):  # Sales User may create Leads: the intake's check
				first = intake(person_name=unique("Person"), external_id=payload)
				again = intake(person_name=unique("Person"), external_id=payload)
			self.assertEqual((again["status"], again["name"]), ("existing", first["name"]), payload)
			expected = sanitized("Lead", {"funnel_external_id": payload})["funnel_external_id"]
			stored = frappe.db.get_value("Lead", first["name"], "funnel_external_id")
			self.assertEqual(stored, expected, payload)
			if payload != JSON_WRAPPED:  # the host keeps JSON in Data fields; the desk escapes Data
				self.assertInert(stored, "external id")
			keys = frappe.get_all(
				"Funnel Contact Key",
				filters={
					"reference_doctype": "Lead",
					"reference_name": first["name"],
					"key_type": KEY_EXTERNAL_ID,
				},
				pluck="key_value",
			)
			self.assertEqual(set(keys), {expected}, payload)

	def test_need_sent_to_the_intake_is_stored_sanitized(self):
		# the app's Small Text field on the host's Lead: JSON-wrapped markup included
		for payload in PAYLOADS:
			with self.set_user(self.seller):
				result = intake(person_name=unique("Person"), need=payload)
			stored = frappe.db.get_value("Lead", result["name"], "funnel_need")
			self.assertSanitizedLikeTheHost(stored, payload, "need")

	def test_smart_task_text_from_a_next_action_is_sanitized(self):
		# a Funnel Manager's next action typed as JSON: the host keeps it in the stage's Data field,
		# but the ToDo description (Text Editor) built from it must not carry live markup
		stages = [dict(s) for s in STAGES]
		stages[0].update(next_action=JSON_WRAPPED, next_action_due_days=1)
		funnel = make_funnel(document_type="Lead", stages=stages).name
		with self.set_user(self.seller):
			lead = frappe.get_doc(
				{"doctype": "Lead", "first_name": unique("Lead"), "funnel": funnel}
			).insert()
		descriptions = frappe.get_all(
			"ToDo",
			filters={"reference_type": "Lead", "reference_name": lead.name, "funnel": funnel},
			pluck="description",
		)
		self.assertEqual(len(descriptions), 1)
		self.assertInert(descriptions[0], "smart task")

	def test_sanitized_follows_the_hosts_rule_per_field_type(self):
		# Small Text: sanitized; Code: left as typed (the host never sanitizes Code)
		out = sanitized("Funnel Settings", {"reanimation_categories": PLAIN, "audit_vocabulary": PLAIN})
		self.assertEqual(out["reanimation_categories"], sanitize_html(PLAIN))
		self.assertEqual(out["audit_vocabulary"], PLAIN)
		# a value without markup is returned untouched, whatever it looks like
		self.assertEqual(sanitized("Funnel Transition", {"comment": ENTITY}), {"comment": ENTITY})

	# --- item 4: the audit vocabulary and stage names in audit and definition messages --------

	def test_audit_and_definition_messages_escape_vocabulary_and_stage_names(self):
		settings = frappe.get_doc("Funnel Settings")
		settings.audit_vocabulary = json.dumps(
			{
				"activity": {"en": ["first call"]},
				"suggestions": {"activity": {"en": PLAIN}, "vague": {"en": SCRIPT}},
			}
		)
		with self.set_user(self.funnel_manager):  # Funnel Managers may edit Funnel Settings
			settings.save()
		funnel = make_funnel(stages=[{"stage_name": "First call", "stage_type": "Open"}, *STAGES]).name
		findings = audit_funnel(funnel)  # as Administrator, who reads the messages
		self.assertTrue(any(f["code"] == "activity_stage" for f in findings), findings)
		for finding in findings:
			self.assertInert(finding["message"], finding["code"])
		# the form checks the unsaved definition: typed stage names reach the messages too
		doc = frappe.get_doc("Funnel", funnel).as_dict()
		doc["stages"].append({"stage_name": JSON_WRAPPED, "stage_type": "Open", "allowed_next": PLAIN})
		doc["stages"].append({"stage_name": PLAIN, "stage_type": SCRIPT})
		doc["stages"].append({"stage_name": PLAIN, "stage_type": "Open"})
		with self.set_user(self.funnel_manager):
			result = check_definition(json.dumps(doc, default=str))
		self.assertGreaterEqual(len(result["problems"]), 2, result["problems"])
		self.assertTrue(any(JSON_WRAPPED in (f.get("stage") or "") for f in result["findings"]))
		for message in result["problems"] + [f["message"] for f in result["findings"]]:
			self.assertInert(message, "definition check")
