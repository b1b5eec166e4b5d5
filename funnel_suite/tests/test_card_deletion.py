"""Deleting a card with the host's delete: what belongs to the card alone goes in the same
transaction, the summaries lose its counts (equal to a rebuild from the remaining log), other
cards keep everything, users without delete permission and funnels with cards stay refused."""

from __future__ import annotations

import datetime as dt
import json

import frappe

from funnel_suite.api import move_card
from funnel_suite.funnel_analytics.summary import STATE, SUMMARY, rebuild_summary, state_name
from funnel_suite.funnel_qualification.keys import lead_keys
from funnel_suite.funnels.doctype.funnel_transition.funnel_transition import FunnelTransitionImmutableError
from funnel_suite.funnels.owned import app_writes
from funnel_suite.tests.utils import (
	FunnelTestCase,
	count_queries,
	ensure_lost_reason,
	make_funnel,
	make_lead,
	make_opportunity,
	make_user,
	transitions,
	unique,
)

T0 = dt.datetime(2026, 2, 2, 10, 0)
STAGES = [
	{"stage_name": "Inquiry", "stage_type": "Open", "probability": 10},
	{
		"stage_name": "Proposal",
		"stage_type": "Open",
		"probability": 50,
		"next_action": "Call about the proposal",
		"next_action_due_days": 2,
	},
	{"stage_name": "Contract", "stage_type": "Won", "probability": 100},
	{"stage_name": "Lost", "stage_type": "Lost"},
]
LEAD_STAGES = [
	{"stage_name": "New", "stage_type": "Open"},
	{"stage_name": "Contacted", "stage_type": "Open"},
	{"stage_name": "Qualified", "stage_type": "Won"},
	{"stage_name": "Junk", "stage_type": "Lost"},
]
SALES_USER = "funnel-delete-sales@example.test"
SALES_MANAGER = "funnel-delete-manager@example.test"
FUNNEL_MANAGER = "funnel-delete-funnels@example.test"


def app_doctypes() -> list[str]:
	modules = frappe.get_all("Module Def", filters={"app_name": "funnel_suite"}, pluck="name")
	return frappe.get_all(
		"DocType", filters={"module": ("in", modules), "issingle": 0, "is_virtual": 0}, pluck="name"
	)


def rows_pointing_at(doctype: str, name: str) -> dict[str, int]:
	"""Rows of any app DocType that still link to the card (Link or Dynamic Link fields)."""
	found = {}
	for app_doctype in app_doctypes():
		meta = frappe.get_meta(app_doctype)
		for df in meta.fields:
			if df.fieldtype == "Link" and df.options == doctype:
				count = frappe.db.count(app_doctype, {df.fieldname: name})
			elif df.fieldtype == "Dynamic Link":
				count = frappe.db.count(app_doctype, {df.options: doctype, df.fieldname: name})
			else:
				continue
			if count:
				found[f"{app_doctype}.{df.fieldname}"] = count
	return found


def summary_of(*funnels: str) -> list[tuple]:
	return frappe.db.sql(
		f"""select funnel, grain, period, stage, company, card_owner, source, territory, entered,
			round(entered_amount, 2), exited, advanced, won, lost, seconds_out
		from `tab{SUMMARY}` where funnel in %(funnels)s order by 1, 2, 3, 4, 5, 6, 7, 8""",
		{"funnels": funnels},
	)


def owned_rows(doctype: str, name: str) -> dict:
	"""What the app keeps for one card (to show it is untouched when another card goes)."""
	enrollments = frappe.get_all(
		"Cadence Enrollment",
		filters={"reference_doctype": doctype, "reference_name": name},
		pluck="name",
	)
	return {
		"log": transitions(doctype, name),
		"state": frappe.db.get_value(STATE, state_name(doctype, name), ["funnel", "stage"]),
		"todos": frappe.get_all(
			"ToDo",
			filters={"reference_type": doctype, "reference_name": name},
			fields=["name", "status", "funnel_stage"],
			order_by="name",
		),
		"keys": frappe.get_all(
			"Funnel Contact Key",
			filters={"reference_doctype": doctype, "reference_name": name},
			fields=["key_type", "key_value"],
			order_by="key_type",
		),
		"enrollments": enrollments,
		"steps": frappe.db.count("Cadence Enrollment Step", {"parent": ("in", enrollments or [""])}),
		"reviews": frappe.get_all("Refusal Review", filters={"opportunity": name}, pluck="name")
		if doctype == "Opportunity"
		else [],
	}


class TestCardDeletion(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SALES_USER, "Sales User")
		make_user(SALES_MANAGER, "Sales Manager")
		make_user(FUNNEL_MANAGER, "Funnel Manager", "Sales User")
		template = frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": unique("Deletion Test Mail"),
				"subject": "Your proposal",
				"response": "Hello, your proposal is waiting.",
			}
		).insert()
		cls.cadence = (
			frappe.get_doc(
				{
					"doctype": "Cadence",
					"cadence_name": unique("Cadence"),
					"enabled": 1,
					"steps": [
						{
							"wait_value": 2,
							"wait_unit": "Days",
							"channel": "Email",
							"email_template": template.name,
						}
					],
				}
			)
			.insert()
			.name
		)

	def tearDown(self):
		frappe.set_user("Administrator")

	def deal_funnel(self) -> str:
		stages = [dict(s, cadence=self.cadence if s["stage_name"] == "Proposal" else None) for s in STAGES]
		return make_funnel(stages=stages).name

	def walked_deals(self, funnel: str):
		"""Two deals walked the same way at the same moments (they share every summary row):
		Inquiry -> Proposal (smart task, cadence) -> Lost (refusal review)."""
		deals = []
		with self.freeze_time(T0):
			for amount in (1000, 2500):
				deals.append(make_opportunity(funnel=funnel, opportunity_amount=amount).name)
		with self.freeze_time(T0 + dt.timedelta(days=1)):
			for deal in deals:
				move_card("Opportunity", deal, "Proposal")
		with self.freeze_time(T0 + dt.timedelta(days=3)):
			for deal in deals:
				move_card("Opportunity", deal, "Lost", lost_reasons=[ensure_lost_reason()])
		return deals

	def test_sales_user_deletes_a_deal_and_what_belongs_to_it_alone(self):
		funnel = self.deal_funnel()
		doomed, kept = self.walked_deals(funnel)
		before_doomed, before_kept = owned_rows("Opportunity", doomed), owned_rows("Opportunity", kept)
		# the deal had everything the app keeps for a card
		self.assertEqual(len(before_doomed["log"]), 3)
		self.assertTrue(before_doomed["state"])
		self.assertTrue([t for t in before_doomed["todos"] if t.funnel_stage])
		self.assertEqual(len(before_doomed["enrollments"]), 1)
		self.assertEqual(len(before_doomed["reviews"]), 1)
		review = before_doomed["reviews"][0]
		self.assertTrue(transitions("Refusal Review", review))
		review_funnel = frappe.db.get_value("Refusal Review", review, "funnel")
		# an upsell handed off from it, a planned contact that opened it
		with app_writes():  # lineage is the app's to write (a hand-off sets it)
			upsell = make_opportunity(
				funnel=funnel, funnel_source_doctype="Opportunity", funnel_source_name=doomed
			)
		self.assertEqual(upsell.funnel_source_name, doomed)
		planned = self.planned_contact(created_opportunity=doomed, moved_opportunity=kept)
		entered_before = self.entered(funnel, "Inquiry")

		frappe.set_user(SALES_USER)
		frappe.delete_doc("Opportunity", doomed)
		frappe.set_user("Administrator")

		self.assertFalse(frappe.db.exists("Opportunity", doomed))
		self.assertEqual(rows_pointing_at("Opportunity", doomed), {})
		self.assertEqual(transitions("Opportunity", doomed), [])
		self.assertIsNone(frappe.db.get_value(STATE, state_name("Opportunity", doomed)))
		self.assertFalse(frappe.db.exists("ToDo", {"reference_name": doomed, "funnel_stage": ("is", "set")}))
		self.assertFalse(
			frappe.db.exists("Cadence Enrollment Step", {"parent": before_doomed["enrollments"][0]})
		)
		# the review went with its deal, with its own move log and current-stage row
		self.assertFalse(frappe.db.exists("Refusal Review", review))
		self.assertEqual(transitions("Refusal Review", review), [])
		self.assertEqual(rows_pointing_at("Refusal Review", review), {})
		# the other deal keeps all of it
		self.assertEqual(owned_rows("Opportunity", kept), before_kept)
		# the upsell keeps its own history and says where it came from
		self.assertEqual(
			frappe.db.get_value("Opportunity", upsell.name, ["funnel_source_doctype", "funnel_source_name"]),
			(None, None),
		)
		self.assertTrue(transitions("Opportunity", upsell.name))
		note = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Opportunity",
				"reference_name": upsell.name,
				"comment_type": "Info",
			},
			pluck="content",
		)
		self.assertTrue(any(doomed in n for n in note), note)
		# the planned contact stays (the customer's history); only the link to the deleted deal goes
		self.assertEqual(
			frappe.db.get_value("Planned Contact", planned, ["created_opportunity", "moved_opportunity"]),
			(None, kept),
		)
		# the summaries lost exactly the deleted card's counts: equal to a rebuild from the rest
		self.assertEqual(self.entered(funnel, "Inquiry"), entered_before - 1)
		live = summary_of(funnel, review_funnel)
		rebuild_summary(funnel)
		rebuild_summary(review_funnel)
		self.assertEqual(summary_of(funnel, review_funnel), live)

	def test_sales_manager_deletes_a_lead_with_keys_and_history(self):
		funnel = make_funnel(document_type="Lead", stages=LEAD_STAGES).name
		# the manager's own duplicate: ERPNext deletes the Lead's own Contact with the user's
		# permissions, and Contact lets its owner (or a Sales Master Manager) delete it
		frappe.set_user(SALES_MANAGER)
		with self.freeze_time(T0):
			doomed = make_lead(funnel=funnel, email_id=f"{unique('gone').replace(' ', '')}@example.test")
			kept = make_lead(funnel=funnel, email_id=f"{unique('kept').replace(' ', '')}@example.test")
		with self.freeze_time(T0 + dt.timedelta(days=2)):
			for lead in (doomed, kept):
				move_card("Lead", lead.name, "Contacted")
		frappe.set_user("Administrator")
		self.assertTrue(lead_keys(doomed))
		self.assertTrue(owned_rows("Lead", doomed.name)["keys"])
		before_kept = owned_rows("Lead", kept.name)

		frappe.set_user(SALES_MANAGER)
		frappe.get_doc("Lead", doomed.name).delete()
		frappe.set_user("Administrator")

		self.assertFalse(frappe.db.exists("Lead", doomed.name))
		self.assertEqual(rows_pointing_at("Lead", doomed.name), {})
		self.assertEqual(owned_rows("Lead", kept.name), before_kept)
		live = summary_of(funnel)
		self.assertTrue(live)
		rebuild_summary(funnel)
		self.assertEqual(summary_of(funnel), live)

	def test_a_user_without_delete_permission_is_refused_and_nothing_goes(self):
		funnel = make_funnel(document_type="Lead", stages=LEAD_STAGES).name
		lead = make_lead(funnel=funnel, lead_owner=SALES_USER)
		move_card("Lead", lead.name, "Contacted")
		before = owned_rows("Lead", lead.name)
		summary = summary_of(funnel)
		self.assertFalse(frappe.has_permission("Lead", "delete", lead.name, user=SALES_USER))

		frappe.set_user(SALES_USER)
		with self.assertRaises(frappe.PermissionError):
			frappe.delete_doc("Lead", lead.name)
		frappe.set_user("Administrator")

		self.assertTrue(frappe.db.exists("Lead", lead.name))
		self.assertEqual(owned_rows("Lead", lead.name), before)
		self.assertEqual(summary_of(funnel), summary)

	def test_the_move_log_and_reviews_still_refuse_deletion_by_hand(self):
		funnel = self.deal_funnel()
		deal = self.walked_deals(funnel)[0]
		row = frappe.get_all("Funnel Transition", filters={"reference_name": deal}, pluck="name", limit=1)[0]
		with self.assertRaises(FunnelTransitionImmutableError):
			frappe.delete_doc("Funnel Transition", row)
		review = frappe.get_all("Refusal Review", filters={"opportunity": deal}, pluck="name")[0]
		with self.assertRaises(frappe.ValidationError):
			frappe.delete_doc("Refusal Review", review)
		self.assertTrue(frappe.db.exists("Funnel Transition", row))
		self.assertTrue(frappe.db.exists("Refusal Review", review))

	def test_a_funnel_with_cards_refuses_deletion_and_an_emptied_one_goes(self):
		funnel = make_funnel(document_type="Lead", stages=LEAD_STAGES).name
		lead = make_lead(funnel=funnel)
		move_card("Lead", lead.name, "Contacted")

		frappe.set_user(FUNNEL_MANAGER)
		with self.assertRaises(frappe.ValidationError) as refused:
			frappe.delete_doc("Funnel", funnel)
		self.assertIn("1 card(s) and 2 logged move(s)", str(refused.exception))
		self.assertNotIsInstance(refused.exception, frappe.LinkExistsError)
		frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists("Funnel", funnel))

		frappe.delete_doc("Lead", lead.name)
		# its counts left the summary with it: no row of the funnel is left to block the delete
		self.assertFalse(summary_of(funnel))
		frappe.set_user(FUNNEL_MANAGER)
		frappe.delete_doc("Funnel", funnel)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists("Funnel", funnel))

	def test_deleting_costs_the_same_queries_whatever_the_history(self):
		funnel = make_funnel(document_type="Lead", stages=LEAD_STAGES).name
		warm, short, long = make_lead(funnel=funnel), make_lead(funnel=funnel), make_lead(funnel=funnel)
		for lead in (warm, short):
			move_card("Lead", lead.name, "Contacted")
		frappe.delete_doc("Lead", warm.name)  # caches filled
		for day in range(1, 13):
			with self.freeze_time(T0 + dt.timedelta(days=day)):
				move_card("Lead", long.name, "Contacted" if day % 2 else "New")
		self.assertEqual(len(transitions("Lead", long.name)), 13)
		self.assertEqual(
			count_queries(lambda: frappe.delete_doc("Lead", long.name)),
			count_queries(lambda: frappe.delete_doc("Lead", short.name)),
		)
		live = summary_of(funnel)
		rebuild_summary(funnel)
		self.assertEqual(summary_of(funnel), live)

	# --- helpers -------------------------------------------------------------------------------

	def entered(self, funnel: str, stage: str) -> int:
		return int(
			frappe.db.sql(
				f"select sum(entered) from `tab{SUMMARY}` where funnel = %s and stage = %s and grain = 'Day'",
				(funnel, stage),
			)[0][0]
			or 0
		)

	def planned_contact(self, **links) -> str:
		customer = frappe.get_all("Customer", pluck="name", limit=1)[0]
		rule = frappe.get_doc(
			{
				"doctype": "Repeat Sale Rule",
				"rule_name": unique("Rule"),
				"enabled": 1,
				"trigger_doctype": "Sales Invoice",
				"mode": "One-off",
				"interval": 90,
				"interval_unit": "Days",
				"create_todo": 1,
			}
		).insert()
		doc = frappe.get_doc(
			{
				"doctype": "Planned Contact",
				"customer": customer,
				"rule": rule.name,
				"mode": "One-off",
				"status": "Done",
				"due_date": "2026-02-10",
				"contact_key": json.dumps(links) + unique("k"),
				**links,
			}
		)
		with app_writes():  # Planned Contacts are the app's to write
			doc.insert(ignore_permissions=True)
		return doc.name
