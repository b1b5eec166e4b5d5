"""Deferred demand ("not now") and reanimation of old losses."""

from unittest.mock import patch

import frappe
from frappe.utils import add_days, add_to_date, getdate, now_datetime, nowdate

from funnel_suite.api import move_card
from funnel_suite.funnel_sales import deferred
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user, transitions

SALE = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]
DEFERRED = [
	{"stage_name": "Decision deferred", "stage_type": "Open"},
	{"stage_name": "Interest renewed", "stage_type": "Open", "next_action": "Send an updated proposal"},
	{"stage_name": "Order placed", "stage_type": "Won"},
	{"stage_name": "Demand lost", "stage_type": "Lost"},
]
REANIMATION = [
	{"stage_name": "Reactivation offer sent", "stage_type": "Open"},
	{"stage_name": "Customer returned", "stage_type": "Won"},
	{"stage_name": "Customer not returned", "stage_type": "Lost"},
]


def reason(name, category):
	if not frappe.db.exists("Opportunity Lost Reason", name):
		frappe.get_doc(
			{"doctype": "Opportunity Lost Reason", "lost_reason": name, "lost_category": category}
		).insert()
	return name


class TestDeferredDemand(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.sale = make_funnel(stages=SALE).name
		cls.deferred = make_funnel(purpose="Deferred Demand", stages=DEFERRED).name
		cls.reanimation = make_funnel(purpose="Reanimation", stages=REANIMATION).name
		cls.owner = make_user("funnel-deferred-owner@example.test", "Sales User")
		settings = frappe.get_doc("Funnel Settings")
		settings.deferred_demand_funnel = cls.deferred
		settings.default_wake_up_days = 30
		settings.wake_up_stage = None
		settings.save()
		cls.not_now = reason("Wants it next season", "Not now")
		cls.price = reason("Too pricey", "Price")

	def card(self):
		return make_opportunity(funnel=self.sale, opportunity_owner=self.owner)

	def run_job(self, job, *args):
		with patch.object(frappe.db, "commit"):
			return job(*args)

	def test_not_now_loss_goes_to_deferred_demand_with_a_wake_up_date(self):
		card = self.card()
		wake = add_days(nowdate(), 45)
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.not_now], wake_up_on=wake)
		card.reload()
		self.assertEqual(
			(card.funnel, card.funnel_stage, card.status), (self.deferred, "Decision deferred", "Open")
		)
		self.assertEqual(getdate(card.funnel_wake_up_on), getdate(wake))
		self.assertEqual(
			[r.to_stage for r in transitions("Opportunity", card.name)][-2:],
			["Deal lost", "Decision deferred"],
		)
		self.assertTrue(frappe.db.exists("Refusal Review", {"opportunity": card.name}))

	def test_default_wake_up_and_bad_dates(self):
		card = self.card()
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.not_now])
		self.assertEqual(
			getdate(frappe.db.get_value("Opportunity", card.name, "funnel_wake_up_on")),
			getdate(add_days(nowdate(), 30)),
		)
		other = self.card()
		with self.assertRaises(frappe.ValidationError) as ctx:
			move_card(
				"Opportunity", other.name, "Deal lost", lost_reasons=[self.not_now], wake_up_on=nowdate()
			)
		self.assertIn("wake-up date", str(ctx.exception))

	def test_other_losses_stay_lost(self):
		card = self.card()
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.price])
		card.reload()
		self.assertEqual((card.funnel, card.funnel_stage, card.status), (self.sale, "Deal lost", "Lost"))

	def test_daily_wake_up_moves_once_and_reminds_the_owner(self):
		card = self.card()
		move_card(
			"Opportunity",
			card.name,
			"Deal lost",
			lost_reasons=[self.not_now],
			wake_up_on=add_days(nowdate(), 3),
		)
		not_yet = self.run_job(deferred.wake_up_deferred)
		self.assertNotIn(card.name, not_yet)
		woken = self.run_job(deferred.wake_up_deferred, add_days(nowdate(), 3))
		self.assertIn(card.name, woken)
		card.reload()
		self.assertEqual((card.funnel_stage, card.funnel_wake_up_on), ("Interest renewed", None))
		self.assertTrue(
			frappe.db.exists(
				"ToDo",
				{
					"reference_name": card.name,
					"allocated_to": self.owner,
					"status": "Open",
					"funnel_stage": "Interest renewed",
				},
			)
		)
		self.assertNotIn(card.name, self.run_job(deferred.wake_up_deferred, add_days(nowdate(), 3)))

	def test_one_bad_card_does_not_stop_the_wake_up(self):
		first, second = self.card(), self.card()
		for card in (first, second):
			move_card(
				"Opportunity",
				card.name,
				"Deal lost",
				lost_reasons=[self.not_now],
				wake_up_on=add_days(nowdate(), 1),
			)
		original = deferred._wake

		def flaky(name, *args):
			if name == first.name:
				raise RuntimeError("broken")
			return original(name, *args)

		with patch.object(deferred, "_wake", side_effect=flaky):
			woken = self.run_job(deferred.wake_up_deferred, add_days(nowdate(), 1))
		self.assertIn(second.name, woken)
		self.assertNotIn(first.name, woken)
		self.assertTrue(frappe.db.exists("Error Log", {"reference_name": first.name}))

	def test_reanimation_enrolls_old_losses_once(self):
		old, recent = self.card(), self.card()
		for card in (old, recent):
			move_card("Opportunity", card.name, "Deal lost", lost_reasons=[self.price])
		frappe.db.set_value(
			"Opportunity",
			old.name,
			"funnel_stage_since",
			add_to_date(now_datetime(), days=-120),
			update_modified=False,
		)
		self.assertEqual(self.run_job(deferred.reanimate_lost_deals), [], "off by default")
		settings = frappe.get_doc("Funnel Settings")
		settings.update(
			{
				"reanimation_enabled": 1,
				"reanimation_funnel": self.reanimation,
				"reanimation_after_days": 90,
				"reanimation_categories": "Price",
			}
		)
		settings.save()
		self.assertEqual(self.run_job(deferred.reanimate_lost_deals), [old.name])
		linked = frappe.get_all(
			"Opportunity", filters={"funnel_source_name": old.name}, fields=["funnel", "funnel_stage"]
		)
		self.assertEqual(
			[(l.funnel, l.funnel_stage) for l in linked], [(self.reanimation, "Reactivation offer sent")]
		)
		self.assertEqual(frappe.db.get_value("Opportunity", old.name, "status"), "Lost")
		self.assertEqual(self.run_job(deferred.reanimate_lost_deals), [], "once per deal")

	def test_settings_are_validated(self):
		settings = frappe.get_doc("Funnel Settings")
		settings.wake_up_stage = "Order placed"
		with self.assertRaises(frappe.ValidationError):
			settings.save()
		settings.reload()
		settings.reanimation_categories = "Unicorns"
		with self.assertRaises(frappe.ValidationError):
			settings.save()
