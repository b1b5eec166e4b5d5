"""Reports read rows of funnels that may be gone (a rolled-back or removed funnel): those rows are
skipped without a "not found" message on the user's screen (the browser saw one on Funnel Forecast)."""

import frappe

from funnel_suite.funnel_analytics.summary import funnel_definitions
from funnel_suite.tests.utils import FunnelTestCase, make_funnel


class TestMissingFunnel(FunnelTestCase):
	def test_definitions_skip_a_funnel_that_is_gone_without_a_message(self):
		kept = make_funnel().name
		frappe.local.message_log = []
		found = funnel_definitions([kept, "Funnel that is gone zz9"])
		self.assertEqual(set(found), {kept})
		self.assertEqual(frappe.local.message_log, [])
