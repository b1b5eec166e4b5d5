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

	def test_split_and_filter_by_channel(self):
		from funnel_suite.api import intake

		ad = source(unique("Channel ad"))
		by_api = [
			intake(person_name=unique("Api"), email=f"{unique('a').replace(' ', '')}@ch.example", source=ad)
		]
		by_api.append(intake(person_name=unique("Api"), phone="+380671112233", source=ad))
		by_mail = intake(
			person_name=unique("Mail"),
			email=f"{unique('m').replace(' ', '')}@ch.example",
			source=ad,
			channel="e-mail",
		)
		make_lead(source=ad)  # typed in the desk: no channel
		self.assertEqual(
			[frappe.db.get_value("Lead", r["name"], "funnel_channel") for r in (*by_api, by_mail)],
			["API", "API", "E-mail"],
		)
		disqualify_lead(by_mail["name"], "No budget")

		_columns, rows, _message, _chart = execute({"source": ad})
		self.assertEqual([(r["leads"], "channel" in r) for r in rows], [(4, False)], "one row unless split")

		columns, rows, _message, chart = execute({"source": ad, "split_by_channel": 1})
		self.assertIn("channel", [c["fieldname"] for c in columns])
		self.assertEqual(
			sorted((r["channel"], r["leads"], r["disqualified"]) for r in rows),
			[("API", 2, 0), ("E-mail", 1, 1), ("—", 1, 0)],
		)
		self.assertTrue(any("E-mail" in label for label in chart["data"]["labels"]))

		_columns, rows, _message, _chart = execute({"source": ad, "channel": "E-mail"})
		self.assertEqual([r["leads"] for r in rows], [1])
		for text in ("' or 1=1 -- ", "E-mail' union select name from tabUser -- "):
			self.assertEqual(execute({"source": ad, "channel": text})[1], [], "typed text matches nothing")

	def test_data_import_and_web_form_channels(self):
		for flag, expected in (("in_import", "Data Import"), ("in_web_form", "Web Form")):
			frappe.flags[flag] = True
			try:
				lead = frappe.get_doc(
					{"doctype": "Lead", "first_name": unique("Host channel"), "status": "Lead"}
				)
				lead.funnel_channel = "Telegram"  # a user's value for the app's field is not kept
				lead.insert()
			finally:
				frappe.flags[flag] = False
			self.assertEqual(frappe.db.get_value("Lead", lead.name, "funnel_channel"), expected)
		desk = make_lead(funnel_channel="API")
		self.assertIsNone(frappe.db.get_value("Lead", desk.name, "funnel_channel"))
