# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe

from funnel_suite.api import get_card_state, move_card
from funnel_suite.funnels.doctype.funnel_transition.funnel_transition import FunnelTransitionImmutableError
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_lead,
	make_opportunity,
	make_user,
	other_company,
	transitions,
)


class TestFunnelTransition(FunnelTestCase):
	def test_nobody_creates_edits_or_deletes_log_rows_by_hand(self):
		lead = make_lead()
		name = frappe.get_all(
			"Funnel Transition",
			filters={"reference_doctype": "Lead", "reference_name": lead.name},
			pluck="name",
		)[0]
		manager = make_user("funnel-sysman@example.test", "System Manager", "Sales Manager")
		with self.set_user(manager):
			self.assertFalse(frappe.has_permission("Funnel Transition", "create"))
			self.assertFalse(frappe.has_permission("Funnel Transition", "write"))
			self.assertFalse(frappe.has_permission("Funnel Transition", "delete"))
			with self.assertRaises(frappe.PermissionError):
				frappe.delete_doc("Funnel Transition", name)
			row = frappe.get_doc("Funnel Transition", name)
			row.to_stage = "Qualified"
			with self.assertRaises(frappe.PermissionError):
				row.save()
		# even Administrator, who bypasses role permissions, is stopped by the controller
		with self.assertRaises(FunnelTransitionImmutableError):
			frappe.delete_doc("Funnel Transition", name)
		row = frappe.get_doc("Funnel Transition", name)
		row.to_stage = "Qualified"
		with self.assertRaises(FunnelTransitionImmutableError):
			row.save()
		with self.assertRaises(FunnelTransitionImmutableError):
			frappe.get_doc(
				{
					"doctype": "Funnel Transition",
					"reference_doctype": "Lead",
					"reference_name": lead.name,
					"funnel": lead.funnel,
					"to_stage": lead.funnel_stage,
					"moved_by": "Administrator",
					"moved_on": frappe.utils.now_datetime(),
				}
			).insert()
		self.assertEqual(len(transitions("Lead", lead.name)), 1)

	def test_users_see_only_the_moves_of_cards_they_can_read(self):
		company = frappe.defaults.get_defaults().get("company")
		other = other_company(company)
		mine = make_opportunity(company=company)
		theirs = make_opportunity(company=other)
		user = make_user("funnel-restricted@example.test", "Sales User")
		frappe.get_doc(
			{
				"doctype": "User Permission",
				"user": user,
				"allow": "Company",
				"for_value": company,
				"apply_to_all_doctypes": 1,
			}
		).insert(ignore_permissions=True)
		with self.set_user(user):
			visible = set(
				frappe.get_list(
					"Funnel Transition",
					filters={
						"reference_doctype": "Opportunity",
						"reference_name": ("in", [mine.name, theirs.name]),
					},
					pluck="reference_name",
				)
			)
			self.assertEqual(visible, {mine.name})
			self.assertEqual(len(get_card_state("Opportunity", mine.name)["history"]), 1)
			with self.assertRaises(frappe.PermissionError):
				get_card_state("Opportunity", theirs.name)
			row = frappe.get_all("Funnel Transition", filters={"reference_name": theirs.name}, pluck="name")[
				0
			]
			self.assertFalse(frappe.has_permission("Funnel Transition", "read", row))

	def test_messages_are_translated_for_the_users_language(self):
		lead = make_lead()
		for lang, fragment in (("ru", "не этап воронки"), ("uk", "не етап воронки")):
			frappe.local.lang = lang
			try:
				with self.assertRaises(frappe.ValidationError) as ctx:
					move_card("Lead", lead.name, "Nowhere")
				self.assertIn(fragment, str(ctx.exception))
			finally:
				frappe.local.lang = "en"
