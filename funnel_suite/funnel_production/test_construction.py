"""Construction (issue 11): the construction preset on a fresh site and on one that had its old
Production funnel on Opportunity; a signed sale opens a Production Order, which the foreman moves
stage by stage; handing it over to installation opens an ERPNext Project with one task per stage of
the Construction funnel, linked both ways, once; a move made on behalf of someone who may not change
the order opens none and says so; the Create Project rule is refused where a card cannot open one."""

from __future__ import annotations

from itertools import pairwise

import frappe
from frappe.utils import add_days, getdate, nowdate

from funnel_suite.api import apply_preset, move_card
from funnel_suite.funnel_production import test_helpers as h
from funnel_suite.funnels.project_handoffs import existing_project
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity, make_user, unique

ORDER = "Production Order"
PROJECTS_MANAGER = "fs-cons-projects@example.com"
SALE_STAGES = ["Inquiry received", "Contract signed"]
ORDER_STAGES = [
	"Materials issued",
	"Products manufactured",
	"Quality checked",
	"Handed over to installation",
]
CONSTRUCTION_TASKS = ["Site ready for installation", "Installation completed", "Acceptance report signed"]


def _tasks(project: str) -> list[frappe._dict]:
	return frappe.get_all(
		"Task",
		filters={"project": project},
		fields=["name", "subject", "exp_start_date", "exp_end_date", "status", "company"],
		order_by="exp_start_date asc, creation asc",
	)


class TestConstructionPreset(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()
		make_user(PROJECTS_MANAGER, "Projects Manager")
		cls.customer = h.make_customer()
		cls.created = apply_preset("construction")

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def _signed_sale(self) -> str:
		"""A deal of the Sale with Design funnel signed by a salesperson: the order it opened."""
		frappe.set_user(h.SALES_USER)
		deal = make_opportunity(
			funnel="Sale with Design",
			opportunity_from="Customer",
			party_name=self.customer,
			company=h.company(),
		)
		move_card("Opportunity", deal.name, "Contract signed")
		frappe.set_user("Administrator")
		orders = frappe.get_all(ORDER, filters={"source_name": deal.name}, pluck="name")
		self.assertEqual(len(orders), 1, orders)
		return orders[0]

	def _to_quality_checked(self, order: str) -> None:
		frappe.set_user(h.FOREMAN)
		for stage in ORDER_STAGES[:-1]:
			move_card(ORDER, order, stage)

	def test_the_preset_puts_production_on_production_orders(self):
		self.assertEqual(set(self.created), {"Sale with Design", "Production", "Construction"})
		funnel = frappe.get_doc("Funnel", "Production")
		self.assertEqual(
			(funnel.document_type, funnel.strict_sequence, funnel.comment_on_backward), (ORDER, 1, 1)
		)
		self.assertEqual(funnel.stages[0].stage_name, "Order accepted for production")
		self.assertIn("issue_materials", funnel.stages[1].checks)
		self.assertEqual(
			[(r.trigger_stage, r.action, r.target_funnel) for r in funnel.handoffs],
			[("Handed over to installation", "Create Project", "Construction")],
		)
		sale = frappe.get_doc("Funnel", "Sale with Design")
		self.assertEqual(
			[(r.trigger_stage, r.action, r.target_funnel) for r in sale.handoffs],
			[("Contract signed", "Create", "Production")],
		)
		self.assertEqual(apply_preset("construction"), [])  # nothing twice

	def test_a_signed_sale_opens_an_order_the_foreman_hands_over_into_a_project(self):
		order = self._signed_sale()
		doc = frappe.get_doc(ORDER, order)
		self.assertEqual(
			(doc.funnel, doc.funnel_stage, doc.customer, doc.company, doc.source_doctype),
			("Production", "Order accepted for production", self.customer, h.company(), "Opportunity"),
		)
		frappe.set_user(h.FOREMAN)
		with self.assertRaises(frappe.ValidationError):  # strict sequence: no stage skipped
			move_card(ORDER, order, "Handed over to installation")
		self.assertIsNone(existing_project(doc))
		self._to_quality_checked(order)
		self.assertIsNone(existing_project(doc))
		move_card(ORDER, order, "Handed over to installation")

		frappe.set_user("Administrator")
		project = frappe.get_doc("Project", existing_project(doc))
		self.assertEqual(
			(project.production_order, project.customer, project.company, project.status),
			(order, self.customer, h.company(), "Open"),
		)
		self.assertIn(order, project.project_name)
		tasks = _tasks(project.name)
		# one task per stage of the Construction funnel (its Lost stage left out), in its order
		self.assertEqual([t.subject for t in tasks], CONSTRUCTION_TASKS)
		self.assertEqual({t.company for t in tasks}, {h.company()})
		today = getdate(nowdate())
		# Site ready 5 days, Installation completed 2, the acceptance one day: each after the last
		self.assertEqual(
			[(t.exp_start_date, t.exp_end_date) for t in tasks],
			[
				(today, getdate(add_days(today, 4))),
				(getdate(add_days(today, 5)), getdate(add_days(today, 6))),
				(getdate(add_days(today, 7)), getdate(add_days(today, 7))),
			],
		)
		self.assertEqual(getdate(project.expected_end_date), getdate(add_days(today, 7)))
		for before, task in pairwise(tasks):
			depends = frappe.get_doc("Task", task.name).depends_on
			self.assertEqual([d.task for d in depends], [before.name])
		# the order lists its project in its connections
		from frappe.desk.notifications import get_open_count

		counts = get_open_count(ORDER, order)
		found = {c["doctype"]: c["count"] for c in counts["count"]["external_links_found"]}
		self.assertEqual(found.get("Project"), 1, counts)
		# both timelines say what happened
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": ORDER,
					"reference_name": order,
					"content": ("like", f"%{project.name}%"),
				},
			)
		)
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": "Project",
					"reference_name": project.name,
					"content": ("like", f"%{order}%"),
				},
			)
		)

		# back (with a comment) and forward again: still the one project with its three tasks
		frappe.set_user(h.FOREMAN)
		move_card(ORDER, order, "Quality checked", comment="Glass scratched, back to quality control")
		move_card(ORDER, order, "Handed over to installation")
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.get_all("Project", filters={"production_order": order}, pluck="name"), [project.name]
		)
		self.assertEqual(len(_tasks(project.name)), 3)

	def test_the_sales_order_an_order_was_made_for_goes_on_the_project(self):
		item = h.make_item_as_admin()
		so = h.make_sales_order(self.customer, item)
		order = h.make_order(
			customer=self.customer, source_doctype="Sales Order", source_name=so, funnel="Production"
		)
		self._to_quality_checked(order.name)
		move_card(ORDER, order.name, "Handed over to installation")
		frappe.set_user("Administrator")
		project = frappe.get_doc("Project", existing_project(order))
		self.assertEqual((project.sales_order, project.production_order), (so, order.name))
		# ERPNext's own Project.after_insert links the sales order back to the project
		self.assertEqual(frappe.db.get_value("Sales Order", so, "project"), project.name)

	def test_a_project_named_like_the_orders_by_hand_gets_no_twin(self):
		order = h.make_order(customer=self.customer, funnel="Production")
		taken = f"{order.title} ({order.name})"
		frappe.get_doc({"doctype": "Project", "project_name": taken, "company": h.company()}).insert()
		self._to_quality_checked(order.name)
		move_card(ORDER, order.name, "Handed over to installation")
		frappe.set_user("Administrator")
		project = existing_project(order)
		self.assertEqual(frappe.db.get_value("Project", project, "project_name"), f"{taken} 2")
		self.assertFalse(frappe.db.get_value("Project", {"project_name": taken}, "production_order"))

	def test_a_sales_user_cannot_move_the_order_and_opens_no_project(self):
		order = self._signed_sale()
		self._to_quality_checked(order)
		frappe.set_user(h.SALES_USER)  # reads the order of their deal, read-only
		self.assertTrue(frappe.has_permission(ORDER, "read", order))
		with self.assertRaises(frappe.PermissionError):
			move_card(ORDER, order, "Handed over to installation")
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(ORDER, order, "funnel_stage"), "Quality checked")
		self.assertFalse(frappe.db.exists("Project", {"production_order": order}))

	def test_a_move_on_behalf_of_someone_who_may_not_change_the_order_opens_none_and_says_so(self):
		order = self._signed_sale()
		self._to_quality_checked(order)
		# an automatic step moving the order for a user without write on it (as a submit of another
		# document does): the move stands, no project, the user and the Projects Manager are told
		frappe.set_user(h.SALES_USER)
		doc = frappe.get_doc(ORDER, order)
		doc.funnel_stage = "Handed over to installation"
		doc.flags.ignore_permissions = True
		doc.save()
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value(ORDER, order, "funnel_stage"), "Handed over to installation")
		self.assertFalse(frappe.db.exists("Project", {"production_order": order}))
		for user in (h.SALES_USER, PROJECTS_MANAGER):
			notes = frappe.get_all(
				"Notification Log",
				filters={"document_type": ORDER, "document_name": order, "for_user": user},
				pluck="email_content",
			)
			self.assertEqual(len(notes), 1, user)
			self.assertIn(h.SALES_USER, notes[0])
			self.assertIn("Construction", notes[0])
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": ORDER,
					"reference_name": order,
					"comment_type": "Info",
					"content": ("like", "%was not opened%"),
				},
			)
		)
		# the foreman moves it back and forward again: now the project opens
		frappe.set_user(h.FOREMAN)
		move_card(ORDER, order, "Quality checked", comment="Project was not opened")
		move_card(ORDER, order, "Handed over to installation")
		frappe.set_user("Administrator")
		self.assertEqual(len(frappe.get_all("Project", filters={"production_order": order})), 1)

	def test_users_cannot_set_the_projects_order_link(self):
		order = h.make_order(customer=self.customer, funnel="Production")
		frappe.set_user(PROJECTS_MANAGER)
		project = frappe.get_doc(
			{
				"doctype": "Project",
				"project_name": unique("Manual project"),
				"company": h.company(),
				"production_order": order.name,
			}
		).insert()
		# the link is the app's: a user's value is ignored, so the order still opens its own project
		self.assertFalse(project.production_order)
		self.assertIsNone(existing_project(order))


class TestCreateProjectRule(FunnelTestCase):
	def test_only_cards_with_customer_company_and_a_project_link_open_projects(self):
		frappe.set_user("Administrator")
		template = make_funnel("Opportunity")
		deals = frappe.get_doc("Funnel", make_funnel("Opportunity").name)
		deals.append(
			"handoffs",
			{"trigger_stage": "Contract signed", "action": "Create Project", "target_funnel": template.name},
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			deals.save()
		self.assertIn("Create Project", str(caught.exception))
		self.assertIn("Customer", str(caught.exception))  # an Opportunity has no Customer field

		name = make_funnel(
			ORDER,
			stages=[
				{"stage_name": "Open", "stage_type": "Open"},
				{"stage_name": "Done", "stage_type": "Won"},
				{"stage_name": "Dropped", "stage_type": "Lost"},
			],
		).name

		def save_rule(target: str, target_stage: str | None = None):
			orders = frappe.get_doc("Funnel", name)
			orders.append(
				"handoffs",
				{
					"trigger_stage": "Done",
					"action": "Create Project",
					"target_funnel": target,
					"target_stage": target_stage,
				},
			)
			return orders.save()

		with self.assertRaises(frappe.ValidationError) as caught:
			save_rule(template.name, "Proposal sent")
		self.assertIn("Target Stage", str(caught.exception))
		with self.assertRaises(frappe.ValidationError):
			save_rule("No such funnel " + unique("x"))
		# a Production Order funnel may open projects from any funnel's stages
		self.assertEqual(save_rule(template.name).handoffs[0].action, "Create Project")


class TestConstructionPresetOnAnOlderSite(FunnelTestCase):
	"""A site that applied the construction preset when its Production funnel was on Opportunity."""

	def test_the_old_funnel_and_its_deals_stay_and_the_order_funnel_is_added(self):
		frappe.set_user("Administrator")
		old = {}
		for name, stages in (
			("Sale with Design", ["Inquiry received", "Contract signed", "Deal lost"]),
			(
				"Production",
				[
					"Order accepted for production",
					"Materials issued",
					"Handed over to installation",
					"Production cancelled",
				],
			),
			(
				"Construction",
				[
					"Site ready for installation",
					"Installation completed",
					"Acceptance report signed",
					"Construction stopped",
				],
			),
		):
			kinds = ["Open"] * (len(stages) - 2) + ["Won", "Lost"]
			old[name] = make_funnel(
				"Opportunity",
				name=name,
				stages=[{"stage_name": s, "stage_type": k} for s, k in zip(stages, kinds, strict=True)],
			)
			frappe.db.set_value("Funnel", name, "preset", f"construction/{name}")
		old["Production"] = frappe.get_doc("Funnel", "Production")
		old["Production"].append(
			"handoffs",
			{
				"trigger_stage": "Handed over to installation",
				"action": "Move",
				"target_funnel": "Construction",
			},
		)
		old["Production"].save()
		deal = make_opportunity(funnel="Production")

		created = apply_preset("construction")

		self.assertEqual(created, [f"Production ({ORDER})"])
		new = frappe.get_doc("Funnel", created[0])
		self.assertEqual((new.document_type, new.preset), (ORDER, "construction/Production"))
		self.assertEqual(
			[(r.action, r.target_funnel) for r in new.handoffs], [("Create Project", "Construction")]
		)
		kept = frappe.get_doc("Funnel", "Production")
		self.assertEqual(kept.document_type, "Opportunity")
		self.assertEqual([(r.action, r.target_funnel) for r in kept.handoffs], [("Move", "Construction")])
		# the deals of the old funnel move as before
		move_card("Opportunity", deal.name, "Handed over to installation")
		self.assertEqual(
			frappe.db.get_value("Opportunity", deal.name, ["funnel", "funnel_stage"]),
			("Construction", "Site ready for installation"),
		)
		self.assertEqual(apply_preset("construction"), [])  # and a third run adds nothing


class TestCreateProjectCost(FunnelTestCase):
	def test_a_rule_that_does_not_fire_adds_no_query_to_a_move(self):
		from funnel_suite.tests.utils import count_queries

		frappe.set_user("Administrator")
		h.make_people()
		apply_preset("construction")

		def cost() -> int:
			frappe.set_user(h.FOREMAN)
			first, second = (h.make_order(funnel="Production").name for _ in range(2))
			move_card(ORDER, first, "Materials issued")  # caches warm
			moved = count_queries(lambda: move_card(ORDER, second, "Materials issued"))
			frappe.set_user("Administrator")
			return moved

		with_rule = cost()
		funnel = frappe.get_doc("Funnel", "Production")
		self.assertEqual([r.action for r in funnel.handoffs], ["Create Project"])
		funnel.set("handoffs", [])
		funnel.save()
		self.assertEqual(cost(), with_rule)
