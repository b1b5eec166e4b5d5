"""hooks.py is a table of dotted paths: every path in it names a function that exists, and the
document events keep the order the card rules depend on."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

# hooks whose values are dotted paths to functions (nested in dicts and lists)
METHOD_HOOKS = (
	"before_install",
	"after_install",
	"after_migrate",
	"before_uninstall",
	"before_tests",
	"boot_session",
	"doc_events",
	"scheduler_events",
	"permission_query_conditions",
	"has_permission",
	"override_doctype_dashboards",
	"funnel_on_move",
	"funnel_on_definition_change",
	"funnel_on_bulk_placement",
	"funnel_handoff_rules",
	"funnel_on_card_delete",
	"funnel_stage_checks",
	"funnel_customer_cards",
	"funnel_status_sync",
	"funnel_card_events",
)


def _paths(value):
	if isinstance(value, str):
		yield value
	elif isinstance(value, dict):
		for item in value.values():
			yield from _paths(item)
	else:
		for item in value or ():
			yield from _paths(item)


class TestHooksTable(FrappeTestCase):
	def hooks(self, name):
		return frappe.get_hooks(name, app_name="funnel_suite")

	def test_every_path_in_the_hooks_is_a_function(self):
		seen = 0
		for hook in METHOD_HOOKS:
			for path in _paths(self.hooks(hook)):
				with self.subTest(hook=hook, path=path):
					self.assertTrue(callable(frappe.get_attr(path)), path)
					seen += 1
		self.assertGreater(seen, 50)
		self.assertRaises(Exception, frappe.get_attr, "funnel_suite.funnels.card.no_such_handler")

	def test_card_events_run_in_order_on_every_card_doctype(self):
		events = self.hooks("doc_events")
		for doctype in frappe.get_hooks("funnel_document_types"):
			with self.subTest(doctype=doctype):
				card = events[doctype]
				self.assertIn("funnel_suite.funnels.owned.keep_owned_fields", card["before_validate"])
				self.assertIn("funnel_suite.funnels.card.validate_card", card["validate"])
				# the move is logged before anything that reads the log runs
				self.assertEqual(card["on_update"][0], "funnel_suite.funnels.card.log_card_move")
				self.assertIn("funnel_suite.funnel_analytics.summary.sync_card_state", card["on_update"])
				# the card's own rows go last, after the modules dropped theirs
				self.assertEqual(card["on_trash"][-1], "funnel_suite.funnels.deletion.on_card_trash")

	def test_declare_lost_is_followed_before_the_card_rule_and_the_status_after_it(self):
		self.assertEqual(
			self.hooks("doc_events")["Opportunity"]["validate"],
			[
				"funnel_suite.funnel_sales.lost.follow_declare_lost",
				"funnel_suite.funnels.card.validate_card",
			],
		)
		# the card rule keeps the Opportunity's own status in step at its end (funnel_status_sync)
		self.assertEqual(
			self.hooks("funnel_status_sync")["Opportunity"],
			["funnel_suite.funnel_sales.lost.keep_status_in_step"],
		)

	def test_card_doctypes_added_in_settings_get_the_handlers_of_every_card(self):
		events = self.hooks("doc_events")
		card_events = self.hooks("funnel_card_events")
		dispatchers = {
			"before_validate": "on_before_validate",
			"validate": "on_validate",
			"on_update": "on_update",
			"on_trash": "on_trash",
		}
		for event, dispatcher in dispatchers.items():
			with self.subTest(event=event):
				self.assertIn(f"funnel_suite.funnels.card_types.{dispatcher}", events["*"][event])
				# the same handlers, in the same order, as a hook-declared card (Refusal Review has
				# no handlers of its own besides the card's)
				self.assertEqual(card_events[event], events["Refusal Review"][event])

	def test_the_hooks_of_every_save_and_of_personal_data_are_wired(self):
		events = self.hooks("doc_events")
		self.assertIn("funnel_suite.funnels.sanitize.sanitize_json_markup", events["*"]["validate"])
		self.assertIn(
			"funnel_suite.funnel_qualification.keys.forget_person",
			events["Personal Data Deletion Request"]["on_update"],
		)
		self.assertIn(
			"funnel_suite.funnel_procurement.moves.check_order_supplier",
			events["Purchase Order"]["before_submit"],
		)
		# module-level helpers of hooks.py (names starting with "_") are not hooks
		self.assertFalse(frappe.get_hooks("OWNED_FIELDS", app_name="funnel_suite"))
