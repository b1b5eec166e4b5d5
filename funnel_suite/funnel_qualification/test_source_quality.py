"""The hair-dryer ad: 20 leads worked, almost none qualified → one alarm per source, not per lead."""

import frappe

from funnel_suite.api import disqualify_lead, qualify_lead
from funnel_suite.funnel_qualification.report.lead_source_quality.lead_source_quality import execute
from funnel_suite.tests.utils import FunnelTestCase, make_lead, make_user, unique


def source(name: str) -> str:
	if not frappe.db.exists("Lead Source", name):
		frappe.get_doc({"doctype": "Lead Source", "source_name": name}).insert()
	return name


class TestLeadSourceQuality(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.head = make_user("funnel-head-of-sales@example.test", "Sales User", "Sales Manager")
		settings = frappe.get_doc("Funnel Settings")
		settings.update({"alarm_min_leads": 20, "alarm_max_rate": 10, "alarm_window_days": 30})
		settings.save()

	def alarms(self, name):
		return frappe.db.count("Lead Source Alarm", {"source": name})

	def notifications(self):
		return frappe.db.count(
			"Notification Log", {"for_user": self.head, "document_type": "Lead Source Alarm"}
		)

	def test_junk_source_raises_one_alarm_after_twenty_worked_leads(self):
		junk = source(unique("Free money ad"))
		leads = [make_lead(source=junk, funnel_utm_source="instagram") for _ in range(22)]
		before = self.notifications()
		qualify_lead(leads[0].name)
		for lead in leads[1:19]:
			disqualify_lead(lead.name, "Not our target audience")
		self.assertEqual(self.alarms(junk), 0, "19 worked leads: not yet")
		disqualify_lead(leads[19].name, "Not our target audience")
		self.assertEqual(self.alarms(junk), 1)
		alarm = frappe.get_doc("Lead Source Alarm", {"source": junk})
		self.assertEqual((alarm.leads_processed, alarm.qualified, alarm.qualification_rate), (20, 1, 5.0))
		self.assertEqual(self.notifications(), before + 1)
		disqualify_lead(leads[20].name, "No budget")
		self.assertEqual(self.alarms(junk), 1, "one alarm per source per window, not one per lead")
		self.assertEqual(self.notifications(), before + 1)

		_columns, rows, _message, chart = execute({"source": junk})
		row = rows[0]
		self.assertEqual(
			(row["leads"], row["qualified"], row["disqualified"], row["open"], row["qualification_rate"]),
			(22, 1, 20, 1, 4.8),
		)
		self.assertEqual(
			(row["not_our_target_audience"], row["no_budget"], row["utm_source"]), (19, 1, "instagram")
		)
		self.assertTrue(chart["data"]["datasets"])

	def test_good_source_raises_nothing(self):
		good = source(unique("Referral"))
		leads = [make_lead(source=good) for _ in range(20)]
		for lead in leads[:5]:
			qualify_lead(lead.name)
		for lead in leads[5:]:
			disqualify_lead(lead.name, "No budget")
		self.assertEqual(self.alarms(good), 0)

	def test_settings_are_validated(self):
		settings = frappe.get_doc("Funnel Settings")
		settings.alarm_max_rate = 150
		with self.assertRaises(frappe.ValidationError):
			settings.save()
