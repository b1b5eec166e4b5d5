"""Presets: a working set of funnels per business type, in one click, idempotent, translated."""

import frappe

from funnel_suite.api import apply_preset, get_presets
from funnel_suite.tests.utils import FunnelTestCase, make_user
from funnel_suite.workflows import list_presets, load_preset


class TestApplyPreset(FunnelTestCase):
	def test_each_preset_applies_cleanly_twice(self):
		for preset in list_presets():
			spec = load_preset(preset)
			first = apply_preset(preset)
			second = apply_preset(preset)
			self.assertEqual(second, [], f"{preset} created funnels twice")
			for funnel in spec["funnels"]:
				name = frappe.db.get_value(
					"Funnel", {"preset": f"{preset}/{funnel['funnel_name']}"}, "name"
				) or (frappe.db.exists("Funnel", funnel["funnel_name"]))
				self.assertTrue(name, f"{preset}: {funnel['funnel_name']} missing")
				doc = frappe.get_doc("Funnel", name)
				if name in first:
					self.assertEqual(
						[s.stage_name for s in doc.stages], [s["stage_name"] for s in funnel["stages"]]
					)
					self.assertTrue(frappe.db.exists("Kanban Board", doc.kanban_board))


class TestPresetLanguage(FunnelTestCase):
	"""A class of its own: FrappeTestCase rolls back per class, not per test."""

	def test_labels_follow_the_users_language_and_stay_idempotent(self):
		frappe.local.lang = "ru"
		try:
			created = apply_preset("services")
		finally:
			frappe.local.lang = "en"
		self.assertIn("Предпродажа", created)
		stages = [s.stage_name for s in frappe.get_doc("Funnel", "Предпродажа").stages]
		self.assertEqual(stages[0], "Обращение получено")
		self.assertEqual(apply_preset("services"), [], "the English run must find the Russian funnels")


class TestPresetDialogAndPermissions(FunnelTestCase):
	def test_presets_are_described_for_the_dialog(self):
		presets = {p["name"]: p for p in get_presets()}
		self.assertNotIn("default", presets)
		self.assertEqual(set(presets), set(list_presets()) - {"default"})
		product = presets["product"]
		self.assertTrue(product["title"])
		self.assertEqual(
			[f["funnel_name"] for f in product["funnels"]],
			["Main Sale", "Upsell", "Repeat Sale", "Deferred Demand", "Reanimation"],
		)
		self.assertTrue(next(f for f in product["funnels"] if f["funnel_name"] == "Main Sale")["exists"])

	def test_only_funnel_managers_apply_presets(self):
		user = make_user("funnel-preset-seller@example.test", "Sales User")
		before = frappe.db.count("Funnel")
		with self.set_user(user):
			with self.assertRaises(frappe.PermissionError):
				apply_preset("construction")
		self.assertEqual(frappe.db.count("Funnel"), before)

	def test_unknown_preset_names_the_available_ones(self):
		with self.assertRaises(frappe.ValidationError) as ctx:
			apply_preset("hair-dryer-shop")
		self.assertIn("wholesale", str(ctx.exception))


class TestPresetHandoffs(FunnelTestCase):
	def test_construction_preset_hands_a_won_sale_to_a_production_order(self):
		# (the order's hand-over opening the construction project: funnel_production/test_construction.py)
		from funnel_suite.api import move_card
		from funnel_suite.tests.utils import make_opportunity

		apply_preset("construction")
		sale = make_opportunity(funnel="Sale with Design")
		move_card("Opportunity", sale.name, "Contract signed")
		self.assertFalse(frappe.get_all("Opportunity", filters={"funnel_source_name": sale.name}))
		production = frappe.get_all(
			"Production Order",
			filters={"funnel_source_name": sale.name},
			fields=["source_name", "funnel", "funnel_stage"],
		)
		self.assertEqual(
			[(p.source_name, p.funnel, p.funnel_stage) for p in production],
			[(sale.name, "Production", "Order accepted for production")],
		)
