"""Hand-offs between funnels: move the card, or open a linked card; checked on save, atomic on move."""

import frappe

from funnel_suite.api import get_card_state, make_upsell, move_card
from funnel_suite.funnels.handoffs import HandoffFailedError
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lost_reason,
	make_funnel,
	make_opportunity,
	transitions,
	unique,
)


def stages(prefix: str, won="Won", lost="Lost", **extra) -> list[dict]:
	return [
		{"stage_name": f"{prefix} started", "stage_type": "Open"},
		{"stage_name": f"{prefix} progressed", "stage_type": "Open", **extra},
		{"stage_name": won, "stage_type": "Won"},
		{"stage_name": lost, "stage_type": "Lost"},
	]


class TestHandoffs(FunnelTestCase):
	def test_move_handoff_puts_the_card_in_the_next_funnel_with_a_log_row_per_step(self):
		supplies = make_funnel(stages=stages("Supply", won="Order shipped", lost="Stopped buying"))
		sale = make_funnel(
			stages=stages("Sale", won="First shipment delivered"),
			handoffs=[
				{
					"trigger_stage": "First shipment delivered",
					"action": "Move",
					"target_funnel": supplies.name,
				}
			],
		)
		card = make_opportunity(funnel=sale.name)
		result = move_card("Opportunity", card.name, "First shipment delivered")
		self.assertEqual((result["funnel"], result["to_stage"]), (supplies.name, "Supply started"))
		rows = transitions("Opportunity", card.name)
		self.assertEqual(
			[(r.from_funnel, r.funnel, r.from_stage, r.to_stage) for r in rows[-2:]],
			[
				(None, sale.name, "Sale started", "First shipment delivered"),
				(sale.name, supplies.name, "First shipment delivered", "Supply started"),
			],
		)
		self.assertEqual(rows[-1].comment, "Hand-off")

	def test_create_handoff_opens_a_linked_card_and_both_forms_show_the_lineage(self):
		production = make_funnel(purpose="Production", stages=stages("Production"))
		sale = make_funnel(
			stages=stages("Design"),
			handoffs=[{"trigger_stage": "Won", "action": "Create", "target_funnel": production.name}],
		)
		card = make_opportunity(funnel=sale.name, opportunity_amount=1000)
		move_card("Opportunity", card.name, "Won")
		self.assertEqual(
			frappe.db.get_value("Opportunity", card.name, ["funnel", "funnel_stage"]), (sale.name, "Won")
		)
		new = frappe.get_all(
			"Opportunity",
			filters={"funnel_source_doctype": "Opportunity", "funnel_source_name": card.name},
			fields=["name", "funnel", "funnel_stage", "party_name", "status"],
		)
		self.assertEqual(len(new), 1)
		self.assertEqual((new[0].funnel, new[0].funnel_stage), (production.name, "Production started"))
		self.assertEqual((new[0].party_name, new[0].status), (card.party_name, "Open"))
		self.assertEqual(len(transitions("Opportunity", new[0].name)), 1)

		source_state = get_card_state("Opportunity", card.name)
		self.assertEqual([c["name"] for c in source_state["lineage"]["handed_off"]], [new[0].name])
		new_state = get_card_state("Opportunity", new[0].name)
		self.assertEqual(new_state["lineage"]["source"]["name"], card.name)

	def test_condition_on_a_field_value(self):
		deferred = make_funnel(stages=stages("Deferred"))
		sale = make_funnel(
			stages=stages("Sale"),
			handoffs=[
				{
					"trigger_stage": "Lost",
					"condition_field": "opportunity_type",
					"condition_value": "maintenance",
					"action": "Move",
					"target_funnel": deferred.name,
				}
			],
		)
		if not frappe.db.exists("Opportunity Type", "Maintenance"):
			frappe.get_doc({"doctype": "Opportunity Type", "name": "Maintenance"}).insert()
		plain = make_opportunity(funnel=sale.name)
		matching = make_opportunity(funnel=sale.name, opportunity_type="Maintenance")
		move_card("Opportunity", plain.name, "Lost", lost_reasons=[ensure_lost_reason()])
		move_card("Opportunity", matching.name, "Lost", lost_reasons=[ensure_lost_reason()])
		self.assertEqual(frappe.db.get_value("Opportunity", plain.name, "funnel"), sale.name)
		self.assertEqual(frappe.db.get_value("Opportunity", matching.name, "funnel"), deferred.name)

	def test_a_failing_handoff_rolls_the_move_back(self):
		strict = make_funnel(
			stages=[
				{"stage_name": "Needs amount", "stage_type": "Open", "required_fields": "opportunity_amount"},
				{"stage_name": "Done", "stage_type": "Won"},
				{"stage_name": "Dropped", "stage_type": "Lost"},
			]
		)
		sale = make_funnel(
			stages=stages("Sale"),
			handoffs=[{"trigger_stage": "Won", "action": "Create", "target_funnel": strict.name}],
		)
		card = make_opportunity(funnel=sale.name)
		before = len(transitions("Opportunity", card.name))
		# a request rolls its transaction back on an error; the savepoint plays that part here
		frappe.db.savepoint("request")
		with self.assertRaises(HandoffFailedError) as ctx:
			move_card("Opportunity", card.name, "Won")
		frappe.db.rollback(save_point="request")
		self.assertIn(strict.name, str(ctx.exception))
		self.assertIn("was not saved", str(ctx.exception))
		self.assertIn(frappe.get_meta("Opportunity").get_label("opportunity_amount"), str(ctx.exception))
		self.assertFalse(frappe.db.exists("Opportunity", {"funnel_source_name": card.name}))
		self.assertEqual(len(transitions("Opportunity", card.name)), before)
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stage"), "Sale started")

	def test_rules_are_checked_when_the_funnel_is_saved(self):
		other = make_funnel(stages=stages("Other"))
		with self.assertRaises(frappe.ValidationError) as ctx:
			make_funnel(
				stages=stages("Sale"),
				handoffs=[{"trigger_stage": "Nowhere", "action": "Move", "target_funnel": other.name}],
			)
		self.assertIn("Nowhere", str(ctx.exception))
		with self.assertRaises(frappe.ValidationError) as ctx:
			make_funnel(
				stages=stages("Sale"),
				handoffs=[
					{
						"trigger_stage": "Won",
						"action": "Move",
						"target_funnel": other.name,
						"target_stage": "Bogus",
					}
				],
			)
		self.assertIn("Bogus", str(ctx.exception))
		with self.assertRaises(frappe.ValidationError) as ctx:
			make_funnel(
				stages=stages("Sale"),
				handoffs=[
					{
						"trigger_stage": "Won",
						"action": "Move",
						"target_funnel": other.name,
						"condition_field": "nope",
					}
				],
			)
		self.assertIn("nope", str(ctx.exception))
		lead_funnel = make_funnel("Lead", stages=stages("Lead"))
		with self.assertRaises(frappe.ValidationError) as ctx:
			make_funnel(
				stages=stages("Sale"),
				handoffs=[{"trigger_stage": "Won", "action": "Move", "target_funnel": lead_funnel.name}],
			)
		self.assertIn("Create", str(ctx.exception))

	def test_loops_are_refused_at_save_time(self):
		a_name, b_name = unique("Loop A"), unique("Loop B")
		a = make_funnel(name=a_name, stages=stages("A"))
		b = make_funnel(
			name=b_name,
			stages=stages("B"),
			handoffs=[
				{
					"trigger_stage": "B started",
					"action": "Move",
					"target_funnel": a_name,
					"target_stage": "Won",
				}
			],
		)
		a.append("handoffs", {"trigger_stage": "Won", "action": "Move", "target_funnel": b.name})
		with self.assertRaises(frappe.ValidationError) as ctx:
			a.save()
		self.assertIn("loop", str(ctx.exception))

	def test_upsell_from_a_won_deal(self):
		upsell = make_funnel(purpose="Upsell", stages=stages("Upsell"))
		sale = make_funnel(stages=stages("Sale"))
		card = make_opportunity(funnel=sale.name)
		with self.assertRaises(frappe.ValidationError):
			make_upsell(card.name, upsell.name)
		move_card("Opportunity", card.name, "Won")
		name = make_upsell(card.name, upsell.name)
		new = frappe.get_doc("Opportunity", name)
		self.assertEqual((new.funnel, new.funnel_stage), (upsell.name, "Upsell started"))
		self.assertEqual((new.party_name, new.funnel_source_name), (card.party_name, card.name))
