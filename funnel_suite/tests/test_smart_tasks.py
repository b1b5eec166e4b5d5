"""Smart tasks: the next action of the stage a card enters becomes the owner's ToDo."""

import frappe
from frappe.utils import add_days, getdate, nowdate

from funnel_suite.api import move_card
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user

STAGES = [
	{
		"stage_name": "Inquiry received",
		"stage_type": "Open",
		"next_action": "Identify the need and the decision maker",
		"next_action_due_days": 1,
	},
	{
		"stage_name": "Proposal sent",
		"stage_type": "Open",
		"next_action": "Get the customer's decision on the proposal",
		"next_action_due_days": 5,
	},
	{"stage_name": "Need identified", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


def smart_tasks(name: str, status: str | None = None, funnel: str | None = None) -> list[dict]:
	"""Smart tasks of the test funnel on an Opportunity. (ERPNext also carries the Lead's open
	ToDos, including the Lead funnel's smart task, over to a new Opportunity.)"""
	filters = {
		"reference_type": "Opportunity",
		"reference_name": name,
		"funnel": funnel or TestSmartTasks.funnel,
	}
	if status:
		filters["status"] = status
	return frappe.get_all(
		"ToDo",
		filters=filters,
		fields=["name", "status", "allocated_to", "date", "description", "funnel", "funnel_stage"],
		order_by="creation asc",
	)


class TestSmartTasks(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.owner = make_user("funnel-task-owner@example.test", "Sales User")
		cls.closer = make_user("funnel-task-closer@example.test", "Sales User")
		stages = [dict(s) for s in STAGES]
		stages[1]["next_action_assign_to"] = None
		cls.funnel = make_funnel(stages=stages).name

	def card(self):
		return make_opportunity(funnel=self.funnel, opportunity_owner=self.owner)

	def test_entering_a_stage_assigns_its_next_action_to_the_owner(self):
		card = self.card()
		tasks = smart_tasks(card.name)
		self.assertEqual(len(tasks), 1)
		task = tasks[0]
		self.assertEqual(
			(task.status, task.allocated_to, task.funnel_stage), ("Open", self.owner, "Inquiry received")
		)
		self.assertEqual(getdate(task.date), getdate(add_days(nowdate(), 1)))
		self.assertIn("Identify the need and the decision maker", task.description)
		self.assertIn(frappe.db.get_value("Opportunity", card.name, "_assign"), (f'["{self.owner}"]',))

	def test_leaving_closes_the_previous_task_and_opens_the_next(self):
		card = self.card()
		move_card("Opportunity", card.name, "Proposal sent")
		tasks = smart_tasks(card.name)
		self.assertEqual(
			[(t.funnel_stage, t.status) for t in tasks],
			[("Inquiry received", "Closed"), ("Proposal sent", "Open")],
		)
		self.assertEqual(getdate(tasks[1].date), getdate(add_days(nowdate(), 5)))
		move_card("Opportunity", card.name, "Need identified")  # no next action there
		self.assertEqual(smart_tasks(card.name, "Open"), [])
		move_card("Opportunity", card.name, "Contract signed")
		self.assertEqual(len(smart_tasks(card.name)), 2)

	def test_stage_assignee_gets_the_task(self):
		funnel = frappe.get_doc("Funnel", self.funnel)
		funnel.stages[1].next_action_assign_to = self.closer
		funnel.save()
		card = self.card()
		move_card("Opportunity", card.name, "Proposal sent")
		self.assertEqual(smart_tasks(card.name, "Open")[0].allocated_to, self.closer)

	def test_the_leads_task_carried_over_by_erpnext_is_closed_when_the_deal_opens(self):
		card = self.card()
		lead_funnel = frappe.db.get_value("Lead", card.party_name, "funnel")
		carried = smart_tasks(card.name, funnel=lead_funnel)
		self.assertEqual(len(carried), 1, "ERPNext links the Lead's open ToDos to the new Opportunity")
		self.assertEqual(carried[0].status, "Closed")
		self.assertEqual(len(smart_tasks(card.name, "Open")), 1)

	def test_a_stage_role_goes_to_the_least_busy_user_of_the_role(self):
		if not frappe.db.exists("Role", "Funnel Test Closer"):
			frappe.get_doc({"doctype": "Role", "role_name": "Funnel Test Closer"}).insert()
		busy = make_user("funnel-closer-busy@example.test", "Sales User", "Funnel Test Closer")
		free = make_user("funnel-closer-free@example.test", "Sales User", "Funnel Test Closer")
		frappe.get_doc({"doctype": "ToDo", "allocated_to": busy, "description": "Something else"}).insert()
		funnel = frappe.get_doc("Funnel", self.funnel)
		funnel.stages[1].next_action_assign_to = None
		funnel.stages[1].next_action_role = "Funnel Test Closer"
		funnel.save()
		card = self.card()  # its owner lacks the role
		move_card("Opportunity", card.name, "Proposal sent")
		self.assertEqual(smart_tasks(card.name, "Open")[0].allocated_to, free)

	def test_a_task_goes_only_to_someone_who_may_read_the_card(self):
		frappe.db.savepoint("reader_gate")  # the other tests of the class share its records
		try:
			self._only_readers_get_the_task()
		finally:
			frappe.db.rollback(save_point="reader_gate")
			frappe.clear_document_cache("Funnel", self.funnel)

	def _only_readers_get_the_task(self):
		from funnel_suite.tests.utils import other_company

		card = self.card()
		elsewhere = other_company(card.company)
		role = "Funnel Test Reader Gate"
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role}).insert()
		# the least busy user of the role (first by name too) works only for the other company
		outsider = make_user("funnel-gate-aaa-outsider@example.test", "Sales User", role)
		reader = make_user("funnel-gate-reader@example.test", "Sales User", role)
		fixed = make_user("funnel-gate-fixed@example.test", "Sales User")
		for user in (outsider, fixed):
			frappe.get_doc(
				{"doctype": "User Permission", "user": user, "allow": "Company", "for_value": elsewhere}
			).insert(ignore_permissions=True)
		frappe.get_doc({"doctype": "ToDo", "allocated_to": reader, "description": "Something else"}).insert()
		self.assertFalse(frappe.has_permission("Opportunity", "read", card, user=outsider))
		funnel = frappe.get_doc("Funnel", self.funnel)
		funnel.stages[1].next_action_assign_to = fixed  # the stage's user: the other company's
		funnel.stages[1].next_action_role = role
		funnel.save()
		move_card("Opportunity", card.name, "Proposal sent")
		task = smart_tasks(card.name, "Open")[0]
		self.assertEqual(task.allocated_to, reader)  # busier, but the only one who reads the card
		self.assertEqual(frappe.get_all("ToDo", filters={"allocated_to": ("in", [outsider, fixed])}), [])

	def test_the_salespersons_own_todos_are_left_alone(self):
		card = self.card()
		own = frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": self.owner,
				"description": "Send the birthday card",
				"reference_type": "Opportunity",
				"reference_name": card.name,
			}
		).insert()
		move_card("Opportunity", card.name, "Proposal sent")
		self.assertEqual(frappe.db.get_value("ToDo", own.name, "status"), "Open")
