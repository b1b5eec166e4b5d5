"""The design audit on the site: API, translated messages, warnings on save, admin vocabulary."""

import json
from unittest.mock import patch

import frappe

from funnel_suite.api import audit_funnel
from funnel_suite.funnels.card import default_funnel
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_user

BAD_STAGES = [
	{"stage_name": "First call", "stage_type": "Open", "next_action": "x", "stale_after_days": 2},
	{"stage_name": "In progress", "stage_type": "Open", "next_action": "x", "stale_after_days": 2},
	{"stage_name": "Booked", "stage_type": "Open"},
	{"stage_name": "Meeting scheduled", "stage_type": "Open", "next_action": "x", "stale_after_days": 2},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


class TestAuditOnSite(FunnelTestCase):
	def test_audit_funnel_returns_findings_with_suggestions(self):
		funnel = make_funnel(stages=BAD_STAGES)
		findings = {(f["code"], f["stage"]): f for f in audit_funnel(funnel.name)}
		self.assertIn(("activity_stage", "First call"), findings)
		self.assertIn(("vague_stage", "In progress"), findings)
		self.assertIn(("foreign_entity_stage", "Booked"), findings)
		self.assertIn(("no_next_action", "Booked"), findings)
		self.assertEqual(findings[("meeting_scheduled_hint", "Meeting scheduled")]["severity"], "hint")
		self.assertEqual(findings[("activity_stage", "First call")]["suggestion"], "Need identified")
		self.assertIn("manager activity", findings[("activity_stage", "First call")]["message"])

	def test_messages_follow_the_users_language(self):
		funnel = make_funnel(stages=BAD_STAGES)
		frappe.local.lang = "uk"
		try:
			messages = " ".join(f["message"] for f in audit_funnel(funnel.name))
		finally:
			frappe.local.lang = "en"
		self.assertIn("дію менеджера", messages)

	def test_saving_shows_the_audit_without_blocking(self):
		with patch("funnel_suite.funnels.audit.frappe.msgprint") as msgprint:
			funnel = make_funnel(stages=BAD_STAGES)
		self.assertTrue(frappe.db.exists("Funnel", funnel.name))
		msgprint.assert_called_once()
		self.assertEqual(msgprint.call_args.kwargs["title"], "Funnel Design Audit")
		self.assertIn("First call", msgprint.call_args.args[0])
		with patch("funnel_suite.funnels.audit.frappe.msgprint") as msgprint:
			frappe.db.set_single_value("Funnel Settings", "show_audit_on_save", 0)
			make_funnel(stages=BAD_STAGES)
		msgprint.assert_not_called()
		frappe.db.set_single_value("Funnel Settings", "show_audit_on_save", 1)

	def test_good_funnel_has_no_findings(self):
		funnel = frappe.get_doc("Funnel", default_funnel("Opportunity"))
		self.assertEqual([f for f in audit_funnel(funnel.name) if f["severity"] != "hint"], [])

	def test_admin_vocabulary_extends_the_lists_and_is_validated(self):
		settings = frappe.get_doc("Funnel Settings")
		settings.audit_vocabulary = json.dumps({"activity": {"en": ["demo given"]}})
		settings.save()
		funnel = make_funnel(
			stages=[
				{"stage_name": "Demo given", "stage_type": "Open", "next_action": "x", "stale_after_days": 3},
				{"stage_name": "Contract signed", "stage_type": "Won"},
				{"stage_name": "Deal lost", "stage_type": "Lost"},
			]
		)
		self.assertIn("activity_stage", [f["code"] for f in audit_funnel(funnel.name)])
		settings.audit_vocabulary = '{"activity": 5}'
		with self.assertRaises(frappe.ValidationError) as ctx:
			settings.save()
		self.assertIn("Additional Audit Vocabulary", str(ctx.exception))
		settings.audit_vocabulary = "{not json"
		with self.assertRaises(frappe.ValidationError):
			settings.save()

	def test_audit_needs_read_permission(self):
		funnel = make_funnel(stages=BAD_STAGES)
		user = make_user("funnel-no-roles@example.test", "Accounts User")
		with self.set_user(user):
			with self.assertRaises(frappe.PermissionError):
				audit_funnel(funnel.name)
