"""Stale alarms: marked once, notified once, escalated at twice the limit, cleared by a move."""

from unittest.mock import patch

import frappe
from frappe.utils import add_to_date, now_datetime

from funnel_suite.api import move_card
from funnel_suite.funnels import stale
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user

STAGES = [
	{"stage_name": "Inquiry received", "stage_type": "Open", "stale_after_days": 2},
	{"stage_name": "Proposal sent", "stage_type": "Open", "stale_after_days": 0},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


def alerts(user: str, name: str) -> int:
	return frappe.db.count("Notification Log", {"for_user": user, "document_name": name, "type": "Alert"})


class TestStaleCards(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		if not frappe.db.exists("Role", "Funnel Test Escalation"):
			frappe.get_doc({"doctype": "Role", "role_name": "Funnel Test Escalation"}).insert()
		cls.owner = make_user("funnel-stale-owner@example.test", "Sales User")
		cls.boss = make_user("funnel-stale-boss@example.test", "Sales User", "Funnel Test Escalation")
		frappe.db.set_single_value("Funnel Settings", "stale_escalation_role", "Funnel Test Escalation")
		cls.funnel = make_funnel(stages=STAGES).name

	def card(self, days_ago: float, stage="Inquiry received"):
		card = make_opportunity(funnel=self.funnel, funnel_stage=stage, opportunity_owner=self.owner)
		card.db_set("funnel_stage_since", add_to_date(now_datetime(), days=-days_ago), update_modified=False)
		return card.name

	def run_job(self):
		with patch.object(frappe.db, "commit"):  # the job commits per batch; keep the test's rollback
			return stale.flag_stale_cards(batch_size=2)

	def test_marks_notifies_once_and_escalates(self):
		fresh, late, very_late = self.card(1), self.card(3), self.card(5)
		no_limit = self.card(30, stage="Proposal sent")
		self.run_job()
		values = {
			n: frappe.db.get_value("Opportunity", n, "funnel_stale") or None
			for n in (fresh, late, very_late, no_limit)
		}
		self.assertEqual(values, {fresh: None, late: "Stale", very_late: "Escalated", no_limit: None})
		self.assertEqual(alerts(self.owner, late), 1)
		self.assertEqual(alerts(self.boss, very_late), 1)
		self.assertEqual(alerts(self.owner, fresh), 0)

		self.run_job()  # same day again: nothing new
		self.assertEqual(alerts(self.owner, late), 1)
		self.assertEqual(alerts(self.boss, very_late), 1)

		frappe.db.set_value(
			"Opportunity",
			late,
			"funnel_stage_since",
			add_to_date(now_datetime(), days=-4.5),
			update_modified=False,
		)
		self.run_job()  # now twice the limit: escalated once
		self.assertEqual(frappe.db.get_value("Opportunity", late, "funnel_stale"), "Escalated")
		self.assertEqual(alerts(self.boss, late), 1)
		self.assertEqual(alerts(self.owner, late), 1)

	def test_a_move_clears_the_mark(self):
		late = self.card(3)
		self.run_job()
		move_card("Opportunity", late, "Proposal sent")
		self.assertFalse(frappe.db.get_value("Opportunity", late, "funnel_stale"))

	def test_one_bad_card_does_not_stop_the_others(self):
		first, second = self.card(3), self.card(3)
		original = stale._mark

		def flaky(doctype, name, *args):
			if name == first:
				raise RuntimeError("broken card")
			return original(doctype, name, *args)

		with patch.object(stale, "_mark", side_effect=flaky):
			self.run_job()
		self.assertEqual(alerts(self.owner, second), 1)
		self.assertEqual(frappe.db.get_value("Opportunity", first, "funnel_stale"), "Stale")
		self.assertTrue(
			frappe.db.exists("Error Log", {"reference_doctype": "Opportunity", "reference_name": first})
		)
