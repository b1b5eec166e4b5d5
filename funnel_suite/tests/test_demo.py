"""The demo data set (fixtures/demo.json) loads through the same rules as users' moves."""

import frappe

from funnel_suite.demo import load_demo
from funnel_suite.tests.utils import FunnelTestCase, transitions


class TestDemo(FunnelTestCase):
	def test_demo_loads_once_and_walks_the_funnels(self):
		if frappe.db.exists("Lead", {"email_id": "olga@kitchenpro.example"}):
			self.skipTest("the demo data is already loaded on this site")
		created = load_demo()
		self.assertEqual(len(created["leads"]), 4)
		self.assertEqual(len(created["opportunities"]), 3)
		olga, ivan, marta = (frappe.get_doc("Opportunity", name) for name in created["opportunities"])
		self.assertEqual((olga.funnel, olga.funnel_stage), ("Main Sale", "Proposal sent"))
		# wholesale: the first shipment hands the deal over to Supplies
		self.assertEqual((ivan.funnel, ivan.funnel_stage), ("Supplies", "Next order planned"))
		# "Budget next year" is a not-now reason: the loss is reviewed and the deal waits in Deferred Demand
		self.assertEqual(
			(marta.funnel, marta.funnel_stage, marta.status), ("Deferred Demand", "Decision deferred", "Open")
		)
		self.assertTrue(marta.funnel_wake_up_on)
		self.assertEqual(
			frappe.db.get_value("Refusal Review", {"opportunity": marta.name}, "status"), "Pending"
		)
		self.assertEqual(len(transitions("Opportunity", ivan.name)), 5)
		self.assertEqual(load_demo(), {"leads": [], "opportunities": []})
