# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import json

import frappe

from funnel_suite.funnels.board import stage_options
from funnel_suite.funnels.card import default_funnel
from funnel_suite.funnels.doctype.funnel.funnel import check_definition
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, unique

STAGES = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{"stage_name": "Proposal sent", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


def with_stage(index, **changes):
	stages = [dict(s) for s in STAGES]
	stages[index].update(changes)
	return stages


class TestFunnel(FunnelTestCase):
	def assertRefused(self, *fragments, stages=None, **kwargs):
		with self.assertRaises(frappe.ValidationError) as ctx:
			make_funnel(stages=stages, **kwargs)
		for fragment in fragments:
			self.assertIn(fragment, str(ctx.exception))

	def test_valid_funnel_saves_with_trimmed_names_and_default_colours(self):
		funnel = make_funnel(stages=with_stage(1, stage_name="  Proposal    sent "))
		self.assertEqual([s.stage_name for s in funnel.stages][1], "Proposal sent")
		self.assertEqual([s.indicator for s in funnel.stages], ["Blue", "Blue", "Green", "Red"])

	def test_duplicate_stage_names_are_refused_case_insensitively(self):
		self.assertRefused(
			"Proposal sent", "more than once", stages=with_stage(0, stage_name="PROPOSAL SENT")
		)

	def test_missing_kinds_are_refused_all_at_once(self):
		stages = [{"stage_name": "Inquiry received", "stage_type": "Open"}]
		self.assertRefused("Won stage", "Lost stage", stages=stages)

	def test_unknown_allowed_next_is_refused(self):
		self.assertRefused("Nowhere", stages=with_stage(0, allowed_next="Proposal sent\nNowhere"))

	def test_unknown_required_field_is_named(self):
		self.assertRefused(
			"no_such_field", "Opportunity", stages=with_stage(1, required_fields="no_such_field")
		)

	def test_required_fields_accept_lines_and_commas(self):
		funnel = make_funnel(
			stages=with_stage(1, required_fields="contact_email, opportunity_amount\nsource")
		)
		self.assertEqual(funnel.stages[1].required_fields, "contact_email\nopportunity_amount\nsource")

	def test_unknown_role_is_named(self):
		self.assertRefused("Chief Wizard", stages=with_stage(2, allowed_roles="Sales Manager, Chief Wizard"))

	def test_document_type_must_be_a_card_doctype(self):
		self.assertRefused("Customer", document_type="Customer")

	def test_probability_out_of_range(self):
		self.assertRefused("150", stages=with_stage(1, probability=150))

	def test_one_default_per_document_type(self):
		old_default = default_funnel("Opportunity")
		funnel = make_funnel(is_default=1)
		self.assertEqual(default_funnel("Opportunity"), funnel.name)
		self.assertEqual(frappe.db.count("Funnel", {"document_type": "Opportunity", "is_default": 1}), 1)
		self.assertEqual(frappe.db.get_value("Funnel", old_default, "is_default"), 0)

	def test_disabled_funnel_cannot_be_default(self):
		self.assertRefused("disabled funnel", is_default=1, enabled=0)

	def test_stage_options_are_the_union_of_enabled_funnels(self):
		first = make_funnel(stages=with_stage(1, stage_name=unique("Offer made")))
		second = make_funnel(stages=with_stage(1, stage_name=unique("Demo given")), enabled=0)
		options = frappe.get_meta("Opportunity").get_field("funnel_stage").options.split("\n")
		self.assertIn(first.stages[1].stage_name, options)
		self.assertNotIn(second.stages[1].stage_name, options)
		self.assertEqual(options[0], "", "a new card must not get a stage as the Select's default")
		self.assertEqual(options[1:], stage_options("Opportunity"))
		self.assertEqual(len(options), len(set(options)))
		self.assertFalse(frappe.new_doc("Opportunity").funnel_stage)

	def test_disabling_keeps_stages_that_cards_sit_in(self):
		funnel = make_funnel(stages=with_stage(1, stage_name=unique("Offer made")))
		opportunity = make_opportunity(funnel=funnel.name, funnel_stage=funnel.stages[1].stage_name)
		funnel.reload()
		funnel.enabled = 0
		funnel.save()
		options = frappe.get_meta("Opportunity").get_field("funnel_stage").options.split("\n")
		self.assertIn(funnel.stages[1].stage_name, options)
		self.assertNotIn(funnel.stages[0].stage_name + "x", options)
		opportunity.reload()
		opportunity.title = "still saveable"
		opportunity.save()  # no move: a card of a disabled funnel can still be edited

	def test_renaming_a_stage_moves_its_cards_without_logging(self):
		funnel = make_funnel()
		opportunity = make_opportunity(funnel=funnel.name, funnel_stage="Proposal sent")
		funnel.stages[1].stage_name = "Proposal delivered"
		funnel.save()
		self.assertEqual(
			frappe.db.get_value("Opportunity", opportunity.name, "funnel_stage"), "Proposal delivered"
		)
		self.assertEqual(
			frappe.db.count(
				"Funnel Transition", {"reference_name": opportunity.name, "to_stage": "Proposal delivered"}
			),
			0,
		)

	def test_removing_a_stage_with_cards_is_refused(self):
		funnel = make_funnel()
		make_opportunity(funnel=funnel.name, funnel_stage="Proposal sent")
		funnel.stages = [s for s in funnel.stages if s.stage_name != "Proposal sent"]
		with self.assertRaises(frappe.ValidationError) as ctx:
			funnel.save()
		self.assertIn("Proposal sent", str(ctx.exception))
		self.assertIn("1 card", str(ctx.exception))

	def test_funnel_with_cards_cannot_be_deleted_but_unused_one_can(self):
		used = make_funnel()
		make_opportunity(funnel=used.name)
		with self.assertRaises(frappe.ValidationError) as ctx:
			frappe.delete_doc("Funnel", used.name)
		self.assertIn("Disable it instead", str(ctx.exception))

		unused = make_funnel()
		board = unused.kanban_board
		frappe.delete_doc("Funnel", unused.name)
		self.assertFalse(frappe.db.exists("Funnel", unused.name))
		self.assertFalse(frappe.db.exists("Kanban Board", board))

	def test_check_definition_lists_problems_before_saving(self):
		doc = {"doctype": "Funnel", "funnel_name": "Draft", "document_type": "Lead", "stages": STAGES[:1]}
		result = check_definition(json.dumps(doc))
		self.assertEqual(len(result["problems"]), 2)
		self.assertIn("no_won_stage", [f["code"] for f in result["findings"]])
		self.assertEqual(check_definition(json.dumps({**doc, "stages": STAGES}))["problems"], [])

	def test_sales_user_cannot_write_funnels(self):
		from funnel_suite.tests.utils import make_user

		user = make_user("funnel-sales-user@example.test", "Sales User")
		with self.set_user(user):
			self.assertTrue(frappe.has_permission("Funnel", "read"))
			self.assertFalse(frappe.has_permission("Funnel", "write"))
			self.assertFalse(frappe.has_permission("Funnel", "create"))
		manager = make_user("funnel-manager@example.test", "Funnel Manager")
		with self.set_user(manager):
			self.assertTrue(frappe.has_permission("Funnel", "create"))


class TestCheckDefinitionForReaders(FunnelTestCase):
	"""The Funnel form's live preview and audit: every reader of funnels sees them."""

	def test_sales_manager_and_sales_user_see_the_preview_of_a_saved_funnel(self):
		from funnel_suite.tests.utils import make_user

		funnel = make_funnel(stages=with_stage(1, stage_name="In progress"))
		posted = json.dumps(funnel.as_dict(), default=str)
		for email, role in (
			("funnel-preview-manager@example.test", "Sales Manager"),
			("funnel-preview-user@example.test", "Sales User"),
		):
			with self.subTest(role=role), self.set_user(make_user(email, role)):
				self.assertFalse(frappe.has_permission("Funnel", "write"))
				result = check_definition(posted)
				self.assertEqual(result["problems"], [])
				self.assertIn("In progress", " ".join(f.get("stage") or "" for f in result["findings"]))

	def test_a_user_who_cannot_read_funnels_is_refused(self):
		from funnel_suite.tests.utils import make_user

		user = make_user("funnel-preview-buyer@example.test", "Purchase User")
		with self.set_user(user):
			self.assertFalse(frappe.has_permission("Funnel", "read"))
			with self.assertRaises(frappe.PermissionError):
				check_definition(json.dumps({"doctype": "Funnel", "stages": STAGES}))

	def test_it_always_builds_a_funnel_whatever_doctype_is_posted(self):
		doc = {"funnel_name": "Draft", "document_type": "Lead", "stages": STAGES[:1]}
		for doctype in ("ToDo", "User", "Funnel Stage"):
			with self.subTest(doctype=doctype):
				result = check_definition(json.dumps({**doc, "doctype": doctype}))
				# a Funnel's rules ran: one Open stage only -> no Won and no Lost stage
				self.assertEqual(len(result["problems"]), 2)
				self.assertIn("no_won_stage", [f["code"] for f in result["findings"]])
		with self.assertRaises(frappe.ValidationError):
			check_definition(json.dumps([doc]))
