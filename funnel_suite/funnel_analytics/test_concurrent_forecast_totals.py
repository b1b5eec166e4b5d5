"""Two people move two cards with the same dimensions in opposite directions at the same moment
(each on their own database connection): both moves count in Funnel Forecast's running totals —
the same two totals rows, one taken out and one put in by each move, locked in key order — with
no deadlock, and the totals equal a recomputation afterwards."""

import frappe

from funnel_suite.funnel_analytics import forecast_totals
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_funnel,
	make_opportunity,
	remove_committed_deals,
	remove_committed_funnel,
	save_at_once,
)


class TestConcurrentForecastTotals(FunnelTestCase):
	def setUp(self):
		self.funnel = make_funnel()
		self.cards = [
			make_opportunity(
				funnel=self.funnel.name, opportunity_amount=100 * (i + 1), expected_closing="2026-06-15"
			).name
			for i in range(2)
		]
		# the second card starts one stage further on: the two moves cross
		doc = frappe.get_doc("Opportunity", self.cards[1])
		doc.funnel_stage = "Proposal sent"
		doc.save()
		frappe.db.commit()  # the other connections must see the cards

	def tearDown(self):
		frappe.db.rollback()
		remove_committed_deals(self.cards)
		remove_committed_funnel(self.funnel.name)
		frappe.db.commit()

	def test_crossing_moves_of_two_cards_both_count(self):
		targets = ["Proposal sent", "Inquiry received"]
		outcomes = save_at_once(
			[("Opportunity", card, t) for card, t in zip(self.cards, targets, strict=True)]
		)
		self.assertEqual(outcomes, ["moved", "moved"])

		frappe.db.rollback()  # fresh snapshot
		for level in forecast_totals.LEVELS:
			self.assertEqual(
				forecast_totals.stored(self.funnel.name, level),
				forecast_totals.recompute(self.funnel.name, level),
				f"level {level}",
			)
		by_stage = {
			stage: (int(cards), float(amount))
			for stage, cards, amount in frappe.db.sql(
				f"""select stage, sum(cards), sum(amount) from `tab{forecast_totals.TOTALS}`
				where funnel = %s and level = %s group by stage""",
				(self.funnel.name, forecast_totals.BY_COMPANY),
			)
		}
		self.assertEqual(by_stage.get("Proposal sent"), (1, 100.0))
		self.assertEqual(by_stage.get("Inquiry received"), (1, 200.0))
