"""Two people move two cards of one funnel at the same moment (each on their own database
connection): both moves count, in the same summary rows, with no deadlock."""

import frappe

from funnel_suite.funnel_analytics.summary import SUMMARY, rebuild_summary
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_funnel,
	make_opportunity,
	remove_committed_deals,
	remove_committed_funnel,
	save_at_once,
)


class TestConcurrentSummary(FunnelTestCase):
	def setUp(self):
		self.funnel = make_funnel()
		self.cards = [make_opportunity(funnel=self.funnel.name).name for _ in range(2)]
		frappe.db.commit()  # the other connections must see the cards

	def tearDown(self):
		remove_committed_deals(self.cards)
		remove_committed_funnel(self.funnel.name)
		frappe.db.commit()

	def snapshot(self):
		return frappe.db.sql(
			f"""select grain, period, stage, company, card_owner, source, territory, entered, exited,
				advanced, won, lost, seconds_out
			from `tab{SUMMARY}` where funnel = %s order by 1, 2, 3, 4, 5, 6, 7""",
			self.funnel.name,
		)

	def test_simultaneous_moves_of_two_cards_both_count(self):
		outcomes = save_at_once([("Opportunity", card, "Proposal sent") for card in self.cards])
		self.assertEqual(outcomes, ["moved", "moved"])

		frappe.db.rollback()  # fresh snapshot
		entered = frappe.db.sql(
			f"select sum(entered) from `tab{SUMMARY}` where funnel = %s and grain = 'Company Day' and stage = %s",
			(self.funnel.name, "Proposal sent"),
		)[0][0]
		self.assertEqual(entered, 2)
		live = self.snapshot()
		rebuild_summary(self.funnel.name)
		self.assertEqual(self.snapshot(), live)
		frappe.db.rollback()
