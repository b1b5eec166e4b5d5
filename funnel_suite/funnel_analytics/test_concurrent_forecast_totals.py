"""Two people move two cards with the same dimensions in opposite directions at the same moment
(each on their own database connection): both moves count in Funnel Forecast's running totals —
the same two totals rows, one taken out and one put in by each move, locked in key order — with
no deadlock, and the totals equal a recomputation afterwards."""

import threading

import frappe

from funnel_suite.funnel_analytics import forecast_totals
from funnel_suite.funnel_analytics.summary import STATE, SUMMARY, state_name
from funnel_suite.funnels.board import sync_stage_options
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity


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
		for card in self.cards:
			lead = frappe.db.get_value("Opportunity", card, "party_name")
			for doctype, name in (("Opportunity", card), ("Lead", lead)):
				frappe.db.delete("Funnel Transition", {"reference_doctype": doctype, "reference_name": name})
				forecast_totals.remove_card(state_name(doctype, name))  # the lead's funnel keeps its totals
				frappe.db.delete(STATE, {"reference_doctype": doctype, "reference_name": name})
				frappe.db.delete(doctype, {"name": name})
		frappe.db.delete(SUMMARY, {"funnel": self.funnel.name})
		frappe.db.delete(forecast_totals.TOTALS, {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Velocity Bucket", {"funnel": self.funnel.name})
		frappe.db.delete("Kanban Board", {"name": self.funnel.kanban_board})
		frappe.db.delete("Funnel Stage", {"parent": self.funnel.name})
		frappe.db.delete("Funnel", {"name": self.funnel.name})
		sync_stage_options("Opportunity")
		frappe.db.commit()

	def test_crossing_moves_of_two_cards_both_count(self):
		site = frappe.local.site
		barrier = threading.Barrier(2)
		outcomes: list = [None, None]
		targets = ["Proposal sent", "Inquiry received"]

		def worker(index: int):
			frappe.init(site=site)
			frappe.connect()
			try:
				frappe.set_user("Administrator")
				doc = frappe.get_doc("Opportunity", self.cards[index])
				barrier.wait(timeout=30)
				doc.funnel_stage = targets[index]
				doc.save()
				frappe.db.commit()
				outcomes[index] = "moved"
			except Exception as exc:
				frappe.db.rollback()
				outcomes[index] = exc
			finally:
				frappe.destroy()

		threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
		for thread in threads:
			thread.start()
		for thread in threads:
			thread.join(timeout=120)
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
