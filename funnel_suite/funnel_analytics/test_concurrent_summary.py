"""Two people move two cards of one funnel at the same moment (each on their own database
connection): both moves count, in the same summary rows, with no deadlock."""

import threading

import frappe

from funnel_suite.funnel_analytics import forecast_totals
from funnel_suite.funnel_analytics.summary import STATE, SUMMARY, rebuild_summary, state_name
from funnel_suite.funnels.board import sync_stage_options
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity


class TestConcurrentSummary(FunnelTestCase):
	def setUp(self):
		self.funnel = make_funnel()
		self.cards = [make_opportunity(funnel=self.funnel.name).name for _ in range(2)]
		frappe.db.commit()  # the other connections must see the cards

	def tearDown(self):
		for card in self.cards:
			lead = frappe.db.get_value("Opportunity", card, "party_name")
			for doctype, name in (("Opportunity", card), ("Lead", lead)):
				frappe.db.delete("Funnel Transition", {"reference_doctype": doctype, "reference_name": name})
				forecast_totals.remove_card(state_name(doctype, name))  # the lead's funnel keeps its totals
				frappe.db.delete(STATE, {"reference_doctype": doctype, "reference_name": name})
				frappe.db.delete(doctype, {"name": name})
		frappe.db.delete(SUMMARY, {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Velocity Bucket", {"funnel": self.funnel.name})
		frappe.db.delete("Funnel Forecast Total", {"funnel": self.funnel.name})
		frappe.db.delete("Kanban Board", {"name": self.funnel.kanban_board})
		frappe.db.delete("Funnel Stage", {"parent": self.funnel.name})
		frappe.db.delete("Funnel", {"name": self.funnel.name})
		sync_stage_options("Opportunity")
		frappe.db.commit()

	def snapshot(self):
		return frappe.db.sql(
			f"""select grain, period, stage, company, card_owner, source, territory, entered, exited,
				advanced, won, lost, seconds_out
			from `tab{SUMMARY}` where funnel = %s order by 1, 2, 3, 4, 5, 6, 7""",
			self.funnel.name,
		)

	def test_simultaneous_moves_of_two_cards_both_count(self):
		site = frappe.local.site
		barrier = threading.Barrier(2)
		outcomes: list = [None, None]

		def worker(index: int):
			frappe.init(site=site)
			frappe.connect()
			try:
				frappe.set_user("Administrator")
				doc = frappe.get_doc("Opportunity", self.cards[index])
				barrier.wait(timeout=30)
				doc.funnel_stage = "Proposal sent"
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
		entered = frappe.db.sql(
			f"select sum(entered) from `tab{SUMMARY}` where funnel = %s and grain = 'Company Day' and stage = %s",
			(self.funnel.name, "Proposal sent"),
		)[0][0]
		self.assertEqual(entered, 2)
		live = self.snapshot()
		rebuild_summary(self.funnel.name)
		self.assertEqual(self.snapshot(), live)
		frappe.db.rollback()
