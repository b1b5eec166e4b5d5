"""Two people move the same card at the same moment, each on their own database connection."""

import itertools

import frappe

from funnel_suite.api import move_card
from funnel_suite.tests.utils import (
	FunnelTestCase,
	make_funnel,
	make_opportunity,
	remove_committed_deals,
	remove_committed_funnel,
	save_at_once,
	transitions,
)


class TestConcurrentMoves(FunnelTestCase):
	def setUp(self):
		self.funnel = make_funnel()
		self.card = make_opportunity(funnel=self.funnel.name).name
		frappe.db.commit()  # the other connections must see the card

	def tearDown(self):
		remove_committed_deals([self.card])
		remove_committed_funnel(self.funnel.name)
		frappe.db.commit()

	def race(self, targets: list[str]):
		"""Each thread loads the card, waits until all have loaded, then moves it and commits."""
		return save_at_once([("Opportunity", self.card, stage) for stage in targets], done="won")

	def test_one_wins_the_other_gets_the_conflict_error(self):
		outcomes = self.race(["Proposal sent", "Contract signed"])
		winners = [i for i, outcome in enumerate(outcomes) if outcome == "won"]
		losers = [outcome for outcome in outcomes if outcome != "won"]
		self.assertEqual(len(winners), 1, outcomes)
		self.assertEqual(len(losers), 1, outcomes)
		self.assertIsInstance(losers[0], frappe.TimestampMismatchError)

		frappe.db.rollback()  # fresh snapshot
		winner_stage = ["Proposal sent", "Contract signed"][winners[0]]
		rows = transitions("Opportunity", self.card)
		self.assertEqual(
			[(r.from_stage, r.to_stage) for r in rows],
			[(None, "Inquiry received"), ("Inquiry received", winner_stage)],
		)
		self.assertEqual(frappe.db.get_value("Opportunity", self.card, "funnel_stage"), winner_stage)

	def test_sequential_moves_after_the_race_keep_the_chain(self):
		self.race(["Proposal sent", "Proposal sent"])
		frappe.db.rollback()
		move_card("Opportunity", self.card, "Contract signed")
		frappe.db.commit()
		rows = transitions("Opportunity", self.card)
		for previous, row in itertools.pairwise(rows):
			self.assertEqual(row.from_stage, previous.to_stage)
		self.assertEqual(rows[-1].to_stage, frappe.db.get_value("Opportunity", self.card, "funnel_stage"))
