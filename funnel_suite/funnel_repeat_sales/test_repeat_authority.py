"""Repeat-sale rules act with the app's rights (issue 17, item 10), and what they write around
Document.save() is sanitized (item 2).

The deal a cyclic rule moves and the Opportunity it opens are saved with ignore_permissions:
the user who submits the invoice must not be able to choose where they go. The target is the
rule's alone; rules are written by Sales / Funnel / System Managers, Planned Contacts by nobody.
"""

from unittest.mock import patch

import frappe
from frappe.utils import add_months, getdate, nowdate
from frappe.utils.html_utils import sanitize_html

from funnel_suite.funnel_repeat_sales import planner
from funnel_suite.funnel_repeat_sales.test_repeat_sales import (
	REPEAT,
	SALE,
	SUPPLIES,
	RepeatSalesCase,
	contacts,
)
from funnel_suite.tests.utils import make_funnel, make_user, transitions

PAYLOAD = "<img src=x onerror=alert(1)>"


class TestRepeatRuleAuthority(RepeatSalesCase):
	def test_the_rule_alone_names_where_the_deal_goes_and_where_the_new_deal_starts(self):
		sale = make_funnel(stages=SALE).name
		supplies = make_funnel(
			purpose="Repeat Sale",
			stages=[
				SUPPLIES[0],
				{**SUPPLIES[1], "allowed_roles": "Sales Manager"},  # the submitter lacks the role
				*SUPPLIES[2:],
			],
		).name
		repeat = make_funnel(purpose="Repeat Sale", stages=REPEAT).name
		decoy = make_funnel(stages=SALE).name
		self.rule(
			mode="Cyclic",
			interval=1,
			interval_unit="Months",
			move_deal_to_funnel=supplies,
			move_deal_to_stage="Volume agreed",
			create_opportunity=1,
			opportunity_funnel=repeat,
		)
		customer = self.customer()
		deal = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Customer",
				"party_name": customer,
				"company": self.company,
				"funnel": sale,
			}
		).insert()
		clerk = make_user("repeat-clerk@example.test", "Accounts User", "Sales User")
		today = getdate(nowdate())
		frappe.set_user(clerk)
		# request parameters naming another target are read by nothing
		frappe.local.form_dict.update(move_deal_to_funnel=decoy, opportunity_funnel=decoy)
		try:
			self.invoice(customer, today)
		finally:
			frappe.local.form_dict.pop("move_deal_to_funnel", None)
			frappe.local.form_dict.pop("opportunity_funnel", None)
			frappe.set_user("Administrator")
		deal.reload()
		self.assertEqual((deal.funnel, deal.funnel_stage), (supplies, "Volume agreed"))
		self.assertEqual(transitions("Opportunity", deal.name)[-1].funnel, supplies)

		self.daily(add_months(today, 1))
		[done] = contacts(customer, status="Done")
		new = frappe.db.get_value(
			"Opportunity", done.created_opportunity, ["funnel", "funnel_stage", "party_name"], as_dict=True
		)
		self.assertEqual((new.funnel, new.funnel_stage, new.party_name), (repeat, "Repeat offer", customer))
		self.assertFalse(frappe.db.exists("Opportunity", {"funnel": decoy}))

	def test_a_failure_reason_quoting_typed_text_is_stored_sanitized(self):
		self.rule(mode="Cyclic", interval=1, interval_unit="Months")
		customer = self.customer()
		today = getdate(nowdate())
		self.invoice(customer, today)

		def failing(rule, customer, contact, owner, text):
			raise frappe.ValidationError(f"The account owner typed {PAYLOAD}")

		with patch.object(planner, "_make_todos", side_effect=failing):
			self.assertEqual(self.daily(add_months(today, 1))["Failed"], 1)
		failed = contacts(customer, status="Failed")[0]
		self.assertEqual(failed.reason, sanitize_html(f"ValidationError: The account owner typed {PAYLOAD}"))
		self.assertNotIn("onerror", failed.reason)


class TestRepeatRuleTargetGate(RepeatSalesCase):
	def test_a_rule_sends_deals_only_where_its_author_may_move_them(self):
		limited = {**SUPPLIES[1], "allowed_roles": "Accounts Manager"}
		supplies = make_funnel(purpose="Repeat Sale", stages=[SUPPLIES[0], limited, *SUPPLIES[2:]]).name
		cyclic = {"mode": "Cyclic", "interval": 1, "interval_unit": "Months", "move_deal_to_funnel": supplies}
		author = make_user("repeat-rule-author@example.test", "Sales Manager")
		funnel_manager = make_user("repeat-rule-funnels@example.test", "Funnel Manager")
		frappe.set_user(author)
		try:
			with self.assertRaises(frappe.PermissionError):
				self.rule(**cyclic, move_deal_to_stage=limited["stage_name"])
			# a stage open to every role is the author's to choose
			self.rule(**cyclic, move_deal_to_stage=SUPPLIES[0]["stage_name"])
			frappe.set_user(funnel_manager)
			self.rule(**cyclic, move_deal_to_stage=limited["stage_name"])
		finally:
			frappe.set_user("Administrator")
