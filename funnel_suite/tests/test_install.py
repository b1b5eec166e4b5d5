"""What installing the app leaves on the site, and the placement patch."""

import frappe

from funnel_suite.funnels.card import default_funnel
from funnel_suite.install import CARD_FIELDNAMES, OPPORTUNITY_FIELDS, card_fields, create_default_funnels
from funnel_suite.patches.v0_1.place_existing_cards import place_existing_cards
from funnel_suite.tests.utils import FunnelTestCase, make_lead, make_opportunity, transitions


class TestInstall(FunnelTestCase):
	def test_custom_fields_exist_on_card_doctypes(self):
		for doctype in ("Lead", "Opportunity"):
			meta = frappe.get_meta(doctype)
			self.assertEqual(meta.get_field("funnel").fieldtype, "Link")
			self.assertEqual(meta.get_field("funnel").options, "Funnel")
			self.assertEqual(meta.get_field("funnel_stage").fieldtype, "Select")
			self.assertEqual(meta.get_field("funnel_stage_since").fieldtype, "Datetime")
			expected = [f["fieldname"] for f in card_fields(doctype)]
			if doctype == "Opportunity":
				expected += [f["fieldname"] for f in OPPORTUNITY_FIELDS]
			self.assertTrue(set(expected) <= set(CARD_FIELDNAMES))
			for fieldname in expected:
				self.assertTrue(
					frappe.db.exists("Custom Field", {"dt": doctype, "fieldname": fieldname}), fieldname
				)

	def test_warranty_claim_is_a_card_document_type_from_install(self):
		from funnel_suite.funnels.card_types import add_default_card_doctypes
		from funnel_suite.funnels.definitions import card_doctypes, settings_card_doctypes

		self.assertIn("Warranty Claim", settings_card_doctypes())
		self.assertIn("Warranty Claim", card_doctypes())
		meta = frappe.get_meta("Warranty Claim")
		for field in card_fields("Warranty Claim"):
			self.assertIsNotNone(meta.get_field(field["fieldname"]), field["fieldname"])
		add_default_card_doctypes()  # the patch again: no second row
		rows = frappe.get_all(
			"Funnel Card Document Type", filters={"document_type": "Warranty Claim"}, pluck="name"
		)
		self.assertEqual(len(rows), 1)

	def test_default_funnels_and_role_exist(self):
		self.assertTrue(frappe.db.exists("Role", "Funnel Manager"))
		for doctype in ("Lead", "Opportunity"):
			name = default_funnel(doctype)
			self.assertTrue(name, f"no default funnel for {doctype}")
			funnel = frappe.get_doc("Funnel", name)
			self.assertEqual(funnel.document_type, doctype)
			self.assertEqual(funnel.stages[0].stage_type, "Open")
			self.assertTrue(frappe.db.exists("Kanban Board", funnel.kanban_board))
		self.assertEqual(create_default_funnels(), [], "defaults must not be created twice")

	def test_placement_patch_maps_sales_stage_and_is_idempotent(self):
		funnel = frappe.get_doc("Funnel", default_funnel("Opportunity"))
		mapped = funnel.stages[2].stage_name
		if not frappe.db.exists("Sales Stage", mapped):
			frappe.get_doc({"doctype": "Sales Stage", "stage_name": mapped}).insert()
		matched = make_opportunity(sales_stage=mapped)
		unmatched = make_opportunity()
		lead = make_lead()
		for doctype, name in (
			("Opportunity", matched.name),
			("Opportunity", unmatched.name),
			("Lead", lead.name),
		):
			frappe.db.set_value(doctype, name, {"funnel": None, "funnel_stage": None}, update_modified=False)
			frappe.db.delete("Funnel Transition", {"reference_doctype": doctype, "reference_name": name})

		placed = place_existing_cards()
		self.assertGreaterEqual(placed["Opportunity"], 2)
		self.assertEqual(frappe.db.get_value("Opportunity", matched.name, "funnel_stage"), mapped)
		self.assertEqual(
			frappe.db.get_value("Opportunity", unmatched.name, "funnel_stage"), funnel.stages[0].stage_name
		)
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "funnel"), default_funnel("Lead"))
		self.assertEqual(
			transitions("Opportunity", matched.name),
			[
				{
					"funnel": funnel.name,
					"from_funnel": None,
					"from_stage": None,
					"to_stage": mapped,
					"moved_by": "Administrator",
					"seconds_in_from_stage": 0,
					"comment": "Placed on install",
				}
			],
		)
		self.assertEqual(set(place_existing_cards().values()), {0})
		self.assertEqual(len(transitions("Opportunity", matched.name)), 1)
