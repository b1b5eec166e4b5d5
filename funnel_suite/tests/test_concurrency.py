"""Two people move the same card at the same moment, each on their own database connection."""

import itertools
import threading

import frappe

from funnel_suite.api import move_card
from funnel_suite.funnels.board import sync_stage_options
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, transitions


class TestConcurrentMoves(FunnelTestCase):
	def setUp(self):
		self.funnel = make_funnel()
		self.card = make_opportunity(funnel=self.funnel.name).name
		frappe.db.commit()  # the other connections must see the card

	def tearDown(self):
		frappe.db.delete(
			"Funnel Transition", {"reference_doctype": "Opportunity", "reference_name": self.card}
		)
		lead = frappe.db.get_value("Opportunity", self.card, "party_name")
		frappe.db.delete("Opportunity", {"name": self.card})
		frappe.db.delete("Funnel Transition", {"reference_doctype": "Lead", "reference_name": lead})
		frappe.db.delete("Lead", {"name": lead})
		frappe.db.delete("Kanban Board", {"name": self.funnel.kanban_board})
		frappe.db.delete("Funnel Stage", {"parent": self.funnel.name})
		# the analytics rows of the committed moves (left behind, they name a funnel that is gone)
		frappe.db.delete("Funnel Card State", {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Forecast Total", {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Summary", {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Velocity Bucket", {"funnel": self.funnel.name})
		frappe.db.delete("Funnel", {"name": self.funnel.name})
		sync_stage_options("Opportunity")
		frappe.db.commit()

	def race(self, targets: list[str]):
		"""Each thread loads the card, waits until all have loaded, then moves it and commits."""
		site = frappe.local.site
		barrier = threading.Barrier(len(targets))
		outcomes: list = [None] * len(targets)

		def worker(index: int, stage: str):
			frappe.init(site=site)
			frappe.connect()
			try:
				frappe.set_user("Administrator")
				doc = frappe.get_doc("Opportunity", self.card)  # both forms are open
				barrier.wait(timeout=30)
				doc.funnel_stage = stage  # both press a stage at once
				doc.save()
				frappe.db.commit()
				outcomes[index] = "won"
			except Exception as exc:
				frappe.db.rollback()
				outcomes[index] = exc
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=worker, args=(i, s)) for i, s in enumerate(targets)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
		return outcomes

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
