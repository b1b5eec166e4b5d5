"""Card Document Types (Funnel Settings): a System Manager makes ERPNext's Issue a card in the desk.

Adding a row creates custom fields, which alters the doctype's table: MariaDB commits there. So
each test that adds Issue takes it out again in `tearDown` (rolled back to just after the
addition, then removed and committed) and the site is left as it was, apart from the columns the
host never drops.
"""

from __future__ import annotations

import frappe
from frappe.utils import add_to_date, now_datetime

from funnel_suite.api import get_card_state, move_card
from funnel_suite.funnels import card_types, stale
from funnel_suite.funnels.definitions import (
	card_doctypes,
	clear_card_doctypes_cache,
	settings_card_doctypes,
)
from funnel_suite.funnels.setup import CARD_FIELDNAMES
from funnel_suite.tests.utils import FunnelTestCase, count_queries, make_funnel, make_user, transitions

DOCTYPE = "Issue"
SYSTEM_MANAGER = "fs-cardtypes-admin@example.test"
SUPPORT = "fs-cardtypes-support@example.test"
SALES = "fs-cardtypes-sales@example.test"
FUNNELS = "fs-cardtypes-funnels@example.test"
STAGES = [
	{"stage_name": "Reported", "stage_type": "Open", "stale_after_days": 2},
	{"stage_name": "Diagnosed", "stage_type": "Open"},
	{"stage_name": "Resolved", "stage_type": "Won", "probability": 100},
	{"stage_name": "Rejected", "stage_type": "Lost"},
]


def rows() -> list[str]:
	return [r.document_type for r in frappe.get_doc("Funnel Settings").card_document_types]


def save_rows(doctypes: list[str]) -> None:
	settings = frappe.get_doc("Funnel Settings")
	settings.set("card_document_types", [{"document_type": d} for d in doctypes])
	settings.save()


def remove_issue_for_good(issues: list[str], funnels: list[str]) -> None:
	"""Back to the state before the test: Issue is no card, and what the test made is gone (a
	custom field added again may alter the table, which commits them), all committed."""
	frappe.db.rollback()
	frappe.set_user("Administrator")
	frappe.clear_document_cache("Funnel Settings", "Funnel Settings")
	if DOCTYPE in rows():
		save_rows([d for d in rows() if d != DOCTYPE])
	if issues:
		from funnel_suite.funnel_analytics import forecast_totals

		forecast_totals.take_out(  # the rows leave Funnel Forecast's running totals first
			"o.reference_doctype = %(doctype)s and o.reference_name in %(names)s",
			{"doctype": DOCTYPE, "names": tuple(issues)},
		)
		for table in ("Funnel Transition", "Funnel Card State"):
			frappe.db.delete(table, {"reference_doctype": DOCTYPE, "reference_name": ("in", issues)})
		frappe.db.delete("Version", {"ref_doctype": DOCTYPE, "docname": ("in", issues)})
		frappe.db.delete("Comment", {"reference_doctype": DOCTYPE, "reference_name": ("in", issues)})
		frappe.db.delete(DOCTYPE, {"name": ("in", issues)})
	if funnels:
		frappe.db.delete("Funnel Summary", {"funnel": ("in", funnels)})
		frappe.db.delete("Funnel Velocity Bucket", {"funnel": ("in", funnels)})
		frappe.db.delete("Funnel Forecast Total", {"funnel": ("in", funnels)})
		frappe.db.delete("Kanban Board Column", {"parent": ("in", funnels)})
		frappe.db.delete("Kanban Board", {"reference_doctype": DOCTYPE, "name": ("in", funnels)})
		frappe.db.delete("Funnel Stage", {"parent": ("in", funnels)})
		frappe.db.delete("Funnel", {"name": ("in", funnels)})
	frappe.db.commit()  # nosemgrep: the addition was committed by the host's DDL; so is its removal
	frappe.clear_cache(doctype=DOCTYPE)
	frappe.clear_document_cache("Funnel")


class TestCardDocumentTypes(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SYSTEM_MANAGER, "System Manager")
		make_user(SUPPORT, "Support Team")
		make_user(SALES, "Sales User")
		make_user(FUNNELS, "Funnel Manager")
		frappe.db.commit()  # nosemgrep: users the DDL of the tests below would commit half-made

	def setUp(self):
		self.issues, self.funnels = [], []

	def tearDown(self):
		remove_issue_for_good(self.issues, self.funnels)
		super().tearDown()

	def add_issue(self) -> None:
		frappe.set_user(SYSTEM_MANAGER)
		save_rows([*rows(), DOCTYPE])
		frappe.set_user("Administrator")

	def make_issue(self, **values):
		issue = frappe.get_doc({"doctype": DOCTYPE, "subject": "Card types: printer jams", **values}).insert()
		self.issues.append(issue.name)
		return issue

	# --- the whole life of a card document type -------------------------------------------

	def test_issue_added_in_settings_becomes_a_card_with_board_log_stale_marks_and_analytics(self):
		self.assertNotIn(DOCTYPE, card_doctypes())
		self.add_issue()
		self.assertIn(DOCTYPE, card_doctypes())
		meta = frappe.get_meta(DOCTYPE)
		for fieldname in CARD_FIELDNAMES:
			self.assertIsNotNone(meta.get_field(fieldname), fieldname)
		self.assertEqual(meta.get_field("funnel").insert_after, "status")

		funnel = make_funnel(DOCTYPE, stages=STAGES, is_default=1)
		self.funnels.append(funnel.name)
		board = frappe.db.get_value("Funnel", funnel.name, "kanban_board")
		self.assertEqual(frappe.db.get_value("Kanban Board", board, "reference_doctype"), DOCTYPE)
		self.assertEqual(
			[c.column_name for c in frappe.get_doc("Kanban Board", board).columns],
			[s["stage_name"] for s in STAGES],
		)

		frappe.set_user(SUPPORT)
		issue = self.make_issue()
		self.assertEqual((issue.funnel, issue.funnel_stage), (funnel.name, "Reported"))
		# the owned fields are the app's here too: a user's clock is put back
		issue.funnel_stage_since = "2001-01-01 00:00:00"
		issue.funnel_stage = "Diagnosed"
		issue.save()  # the form's normal save
		result = move_card(DOCTYPE, issue.name, "Resolved", comment="fixed the roller")  # the API
		self.assertTrue(result["moved"])
		log = transitions(DOCTYPE, issue.name)
		self.assertEqual(
			[(r.from_stage, r.to_stage, r.moved_by) for r in log],
			[
				(None, "Reported", SUPPORT),
				("Reported", "Diagnosed", SUPPORT),
				("Diagnosed", "Resolved", SUPPORT),
			],
		)
		self.assertNotEqual(str(frappe.db.get_value(DOCTYPE, issue.name, "funnel_stage_since"))[:4], "2001")
		self.assertEqual(get_card_state(DOCTYPE, issue.name)["history"][0]["to_stage"], "Resolved")
		# analytics: the current-stage table follows the card
		self.assertEqual(
			frappe.db.get_value(
				"Funnel Card State", {"reference_doctype": DOCTYPE, "reference_name": issue.name}, "stage"
			),
			"Resolved",
		)

		# a Sales User has no write on Issues: the move API refuses
		frappe.set_user(SALES)
		with self.assertRaises(frappe.PermissionError):
			move_card(DOCTYPE, issue.name, "Rejected")

		# stale marks: the daily job marks an Issue that sits too long
		frappe.set_user(SUPPORT)
		waiting = self.make_issue()
		frappe.set_user("Administrator")
		waiting.db_set("funnel_stage_since", add_to_date(now_datetime(), days=-3), update_modified=False)
		stale.flag_stale_cards()
		self.assertEqual(frappe.db.get_value(DOCTYPE, waiting.name, "funnel_stale"), "Stale")

		# removing Issue: fields and boards go, the move log stays, the Issues stay
		frappe.set_user(SYSTEM_MANAGER)
		save_rows([d for d in rows() if d != DOCTYPE])
		frappe.set_user("Administrator")
		self.assertNotIn(DOCTYPE, card_doctypes())
		meta = frappe.get_meta(DOCTYPE)
		for fieldname in CARD_FIELDNAMES:
			self.assertIsNone(meta.get_field(fieldname), fieldname)
		self.assertFalse(frappe.db.exists("Kanban Board", board))
		self.assertFalse(frappe.db.get_value("Funnel", funnel.name, "kanban_board"))
		self.assertEqual(len(transitions(DOCTYPE, issue.name)), 3)
		self.assertTrue(frappe.db.exists(DOCTYPE, issue.name))
		self.assertTrue(frappe.db.exists("Funnel", funnel.name))
		# an Issue saves as a plain Issue again, and the move API no longer takes it
		frappe.get_doc(DOCTYPE, issue.name).save()
		self.assertEqual(len(transitions(DOCTYPE, issue.name)), 3)
		with self.assertRaises(frappe.ValidationError):
			move_card(DOCTYPE, issue.name, "Rejected")

		# added again: the funnel's board comes back
		frappe.set_user(SYSTEM_MANAGER)
		save_rows([*rows(), DOCTYPE])
		board = frappe.db.get_value("Funnel", funnel.name, "kanban_board")
		self.assertEqual(frappe.db.get_value("Kanban Board", board, "reference_doctype"), DOCTYPE)

	# --- who may change the list ----------------------------------------------------------

	def test_only_a_system_manager_changes_the_card_document_types(self):
		before = rows()
		frappe.set_user(SALES)  # reads the settings, writes nothing
		settings = frappe.get_doc("Funnel Settings")
		settings.append("card_document_types", {"document_type": DOCTYPE})
		with self.assertRaises(frappe.PermissionError):
			settings.save()
		frappe.set_user(FUNNELS)  # edits the other settings, not this permission level
		settings = frappe.get_doc("Funnel Settings")
		settings.append("card_document_types", {"document_type": DOCTYPE})
		settings.save()  # the host puts back the rows of a level the user may not write
		self.assertEqual(rows(), before)
		settings = frappe.get_doc("Funnel Settings")
		settings.append("card_document_types", {"document_type": DOCTYPE})
		settings.flags.ignore_permissions = True  # any other path: the controller refuses
		with self.assertRaises(frappe.PermissionError):
			settings.save()
		frappe.set_user("Administrator")
		self.assertNotIn(DOCTYPE, card_doctypes())

	def test_bad_document_types_are_refused_with_what_is_allowed(self):
		frappe.set_user(SYSTEM_MANAGER)
		virtual = frappe.db.get_value("DocType", {"is_virtual": 1, "istable": 0, "issingle": 0}, "name")
		cases = {
			"System Settings": "single",
			"Sales Order Item": "child table",
			"Funnel": "Funnel Suite's own",
			"ToDo": "framework",
			"Custom Field": "framework",
			"No Such Type": "no such document type",
			"Lead": "already a card document type",
		}
		if virtual:
			cases[virtual] = "virtual"
		for doctype, reason in cases.items():
			with self.subTest(doctype=doctype):
				settings = frappe.get_doc("Funnel Settings")
				settings.append("card_document_types", {"document_type": doctype})
				settings.flags.ignore_links = True  # "No Such Type": the controller's own message
				with self.assertRaises(frappe.ValidationError) as caught:
					settings.save()
				message = str(caught.exception)
				self.assertIn(reason, message)
				self.assertIn(doctype, message)
				if reason != "already a card document type":
					self.assertIn("Issue, Project, Task or Quotation", message)
		settings = frappe.get_doc("Funnel Settings")
		settings.append("card_document_types", {"document_type": "Project"})
		settings.append("card_document_types", {"document_type": "Project"})
		with self.assertRaises(frappe.ValidationError) as caught:
			settings.save()
		self.assertIn("listed twice", str(caught.exception))

	def test_a_deleted_custom_doctype_stops_being_a_card(self):
		name = f"Funnel Test Ticket {frappe.generate_hash(length=5)}"
		frappe.get_doc(
			{
				"doctype": "DocType",
				"name": name,
				"module": "CRM",
				"custom": 1,
				"fields": [{"fieldname": "subject", "fieldtype": "Data", "label": "Subject"}],
				"permissions": [{"role": "System Manager", "read": 1, "write": 1, "create": 1}],
			}
		).insert()
		try:
			frappe.set_user(SYSTEM_MANAGER)
			save_rows([*rows(), name])
			frappe.set_user("Administrator")
			self.assertIn(name, card_doctypes())
			self.assertIsNotNone(frappe.get_meta(name).get_field("funnel"))
			frappe.delete_doc("DocType", name)  # the host runs no document events for it
			# a migration reads the list again (after_migrate) and leaves the deleted doctype out
			clear_card_doctypes_cache()
			self.assertIn(name, rows())
			self.assertNotIn(name, card_doctypes())
			frappe.set_user(SYSTEM_MANAGER)
			with self.assertRaises(frappe.LinkValidationError):  # the host asks to remove the row
				frappe.get_doc("Funnel Settings").save()
			save_rows([d for d in rows() if d != name])
			self.assertNotIn(name, rows())
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback()
			if frappe.db.exists("DocType", name):
				frappe.delete_doc("DocType", name)
			frappe.db.sql_ddl(f"drop table if exists `tab{name}`")  # the host keeps the table
			if name in rows():
				save_rows([d for d in rows() if d != name])
			frappe.db.commit()  # nosemgrep: the doctype's DDL committed its creation; so is its removal

	def test_funnels_of_a_removed_card_type_can_still_be_disabled_renamed_and_deleted(self):
		self.add_issue()
		used = make_funnel(DOCTYPE, stages=STAGES, is_default=1)
		unused = make_funnel(DOCTYPE, stages=STAGES)
		self.funnels += [used.name, unused.name]
		frappe.set_user(SUPPORT)
		issue = self.make_issue()  # placed in the default funnel: its move is logged
		self.assertEqual(issue.funnel, used.name)
		frappe.set_user(SYSTEM_MANAGER)
		save_rows([d for d in rows() if d != DOCTYPE])
		self.assertNotIn(DOCTYPE, card_doctypes())

		frappe.set_user(FUNNELS)  # the Funnel Manager tidies up the funnels Issue left behind
		funnel = frappe.get_doc("Funnel", used.name)
		funnel.enabled, funnel.is_default = 0, 0
		funnel.description = "Kept for the history of the support cards"
		funnel.stages[1].stage_name = "Diagnosed remotely"
		frappe.local.message_log = []
		funnel.save()
		self.assertIn("no longer a card document type", str(frappe.local.message_log))
		self.assertEqual(frappe.db.get_value("Funnel", used.name, "enabled"), 0)
		self.assertIsNone(frappe.db.get_value("Funnel", used.name, "kanban_board"))
		with self.assertRaises(frappe.ValidationError) as caught:  # its history stays
			frappe.delete_doc("Funnel", used.name)
		self.assertIn("Disable it instead", str(caught.exception))
		frappe.delete_doc("Funnel", unused.name)  # never used: may go
		self.assertFalse(frappe.db.exists("Funnel", unused.name))
		with self.assertRaises(frappe.ValidationError) as caught:  # no new funnel for a non-card
			make_funnel(DOCTYPE, stages=STAGES)
		self.assertIn("cannot be placed in a funnel", str(caught.exception))

		frappe.set_user(SALES)  # a Sales User may not change funnels at all
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Funnel", used.name).save()

		frappe.set_user(SYSTEM_MANAGER)  # Issue comes back: the kept funnel gets its board again
		save_rows([*rows(), DOCTYPE])
		frappe.set_user(FUNNELS)
		funnel = frappe.get_doc("Funnel", used.name)
		funnel.enabled = 1
		funnel.save()
		self.assertTrue(frappe.db.get_value("Funnel", used.name, "kanban_board"))

	# --- the "*" document events -------------------------------------------------------------

	def test_a_save_of_a_non_card_doctype_gains_no_queries(self):
		note = frappe.get_doc({"doctype": "Note", "title": "Card types: no queries"}).insert()
		settings_card_doctypes()  # warm (one read per site until the settings change)
		for handler in (
			card_types.on_before_validate,
			card_types.on_validate,
			card_types.on_update,
			card_types.on_trash,
		):
			with self.subTest(handler=handler.__name__):
				self.assertEqual(count_queries(lambda handler=handler: handler(note)), 0)

		# and the whole save: the same statements with and without the dispatcher in the hooks
		hooks = frappe.get_doc_hooks()
		stars = {event: list(handlers) for event, handlers in hooks["*"].items()}
		mine = {
			e: [h for h in hs if h.startswith("funnel_suite.funnels.card_types.")] for e, hs in stars.items()
		}
		self.assertEqual(sum(map(len, mine.values())), 4)

		def save():
			note.content = frappe.generate_hash()
			note.save()

		save()
		try:
			for event, handlers in stars.items():
				hooks["*"][event] = [h for h in handlers if h not in mine[event]]
			without = count_queries(save)
		finally:
			for event, handlers in stars.items():
				hooks["*"][event] = handlers
		self.assertEqual(count_queries(save), without)

	def test_hook_declared_cards_are_not_handled_twice(self):
		from funnel_suite.funnels.definitions import clear_card_doctypes_cache
		from funnel_suite.tests.utils import make_lead

		# a row for a doctype an app declares (validation refuses new ones; an app may declare a
		# listed doctype later): its cards still run the card rule once
		frappe.get_doc(
			{
				"doctype": "Funnel Card Document Type",
				"parent": "Funnel Settings",
				"parenttype": "Funnel Settings",
				"parentfield": "card_document_types",
				"idx": 99,
				"document_type": "Lead",
			}
		).db_insert()
		clear_card_doctypes_cache()
		self.assertIn("Lead", settings_card_doctypes())
		calls = []
		original = frappe.get_attr

		def spy(path):
			if path == "funnel_suite.funnels.card.validate_card":
				calls.append(path)
			return original(path)

		frappe.get_attr = spy
		try:
			make_lead()
		finally:
			frappe.get_attr = original
		self.assertEqual(calls, ["funnel_suite.funnels.card.validate_card"])

	def test_the_status_sync_hook_runs_in_the_card_validate(self):
		from funnel_suite.funnels import card

		self.assertEqual(
			frappe.get_hooks("funnel_status_sync")["Opportunity"],
			["funnel_suite.funnel_sales.lost.keep_status_in_step"],
		)
		seen = []
		original = frappe.get_hooks

		def hooks(name=None, *args, **kwargs):
			if name == "funnel_status_sync":
				return {"Note": ["funnel_suite.tests.test_card_document_types.record_status_sync"]}
			return original(name, *args, **kwargs)

		note = frappe.get_doc({"doctype": "Note", "title": "Card types: status"})
		note.flags.seen = seen
		frappe.get_hooks = hooks
		try:
			card.keep_status_in_step(note, "validate")
		finally:
			frappe.get_hooks = original
		self.assertEqual(seen, [("Note", "validate")])


def record_status_sync(doc, method=None):
	doc.flags.seen.append((doc.doctype, method))
