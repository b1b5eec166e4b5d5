"""Hand-offs act with the app's rights (issue 17, item 10): the card a Create hand-off opens is
inserted with ignore_permissions, so the user whose move triggers it must not be able to choose
where it goes. The target comes from the Funnel's hand-off rule, which only Funnel Managers and
System Managers write."""

from __future__ import annotations

import frappe

from funnel_suite.api import move_card
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user


def stages(prefix: str) -> list[dict]:
	return [
		{"stage_name": f"{prefix} started", "stage_type": "Open"},
		{"stage_name": f"{prefix} progressed", "stage_type": "Open"},
		{"stage_name": f"{prefix} won", "stage_type": "Won"},
		{"stage_name": f"{prefix} lost", "stage_type": "Lost"},
	]


class TestHandoffAuthority(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.seller = make_user("funnel-handoff-seller@example.test", "Sales User")
		cls.sales_manager = make_user("funnel-handoff-boss@example.test", "Sales User", "Sales Manager")
		cls.production = make_funnel(purpose="Production", stages=stages("Production")).name
		cls.decoy = make_funnel(stages=stages("Decoy")).name
		cls.sale = make_funnel(
			stages=stages("Sale"),
			handoffs=[
				{
					"trigger_stage": "Sale won",
					"action": "Create",
					"target_funnel": cls.production,
					"target_stage": "Production progressed",
				}
			],
		).name

	def handed_off(self, card: str) -> list[dict]:
		return frappe.get_all(
			"Opportunity",
			filters={"funnel_source_doctype": "Opportunity", "funnel_source_name": card},
			fields=["name", "funnel", "funnel_stage"],
		)

	def test_the_card_a_sales_users_move_opens_goes_where_the_rule_says(self):
		card = make_opportunity(funnel=self.sale, opportunity_owner=self.seller)
		frappe.share.add("Opportunity", card.name, self.seller, write=1)
		with self.set_user(self.seller):
			# request parameters naming another target are not read by anything
			frappe.local.form_dict.update(
				target_funnel=self.decoy, target_stage="Decoy progressed", funnel_stage="Decoy won"
			)
			try:
				move_card("Opportunity", card.name, "Sale won")
			finally:
				for key in ("target_funnel", "target_stage", "funnel_stage"):
					frappe.local.form_dict.pop(key, None)
		made = self.handed_off(card.name)
		self.assertEqual(
			[(m.funnel, m.funnel_stage) for m in made], [(self.production, "Production progressed")]
		)
		self.assertFalse(frappe.db.exists("Opportunity", {"funnel": self.decoy}))

	def test_only_funnel_managers_write_the_rules(self):
		for user in (self.seller, self.sales_manager):
			with self.set_user(user):
				funnel = frappe.get_doc("Funnel", self.sale)
				funnel.append(
					"handoffs",
					{"trigger_stage": "Sale progressed", "action": "Create", "target_funnel": self.decoy},
				)
				with self.assertRaises(frappe.PermissionError, msg=user):
					funnel.save()
		self.assertEqual(len(frappe.get_doc("Funnel", self.sale).handoffs), 1)
