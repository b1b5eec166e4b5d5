"""Repeat Sale Rules and Planned Contacts on a real ERPNext site: submit / cancel of Sales
Invoices and Delivery Notes, the daily job, failure isolation, matching, permissions."""

from unittest.mock import patch

import frappe
from frappe.utils import add_days, add_months, getdate, nowdate

from funnel_suite.engine.repeat import occurrence
from funnel_suite.funnel_repeat_sales import planner
from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_user, transitions, unique

SALE = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{"stage_name": "Contract signed", "stage_type": "Won"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]
SUPPLIES = [
	{"stage_name": "Regular supplies", "stage_type": "Open"},
	{"stage_name": "Volume agreed", "stage_type": "Open"},
	{"stage_name": "Supplies renewed", "stage_type": "Won"},
	{"stage_name": "Supplies stopped", "stage_type": "Lost"},
]
REPEAT = [
	{"stage_name": "Repeat offer", "stage_type": "Open"},
	{"stage_name": "Reordered", "stage_type": "Won"},
	{"stage_name": "No reorder", "stage_type": "Lost"},
]


def tree_node(doctype, field, parent, is_group=0):
	name = unique(doctype.split()[-1])
	parent_field = "parent_" + frappe.scrub(doctype)
	frappe.get_doc({"doctype": doctype, field: name, parent_field: parent, "is_group": is_group}).insert(
		ignore_permissions=True
	)
	return name


def make_customer(group, territory, account_manager=None):
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": unique("Repeat Customer"),
				"customer_group": group,
				"territory": territory,
				"account_manager": account_manager,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_item(item_group):
	code = unique("RS-ITEM")
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": item_group,
			"stock_uom": "Nos",
			"is_stock_item": 0,
		}
	).insert(ignore_permissions=True)
	return code


def contacts(customer, **filters):
	return frappe.get_all(
		"Planned Contact",
		filters={"customer": customer, **filters},
		fields=["*"],
		order_by="creation asc",
	)


class RepeatSalesCase(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.company = frappe.db.get_value("Company", {}, "name", order_by="creation asc")
		cls.manager = make_user("repeat-account-manager@example.test", "Sales User")
		cls.item_root = tree_node("Item Group", "item_group_name", "All Item Groups", is_group=1)
		cls.item_child = tree_node("Item Group", "item_group_name", cls.item_root)
		cls.other_items = tree_node("Item Group", "item_group_name", "All Item Groups")
		cls.group_root = tree_node("Customer Group", "customer_group_name", "All Customer Groups", 1)
		cls.group_child = tree_node("Customer Group", "customer_group_name", cls.group_root)
		cls.other_group = tree_node("Customer Group", "customer_group_name", "All Customer Groups")
		cls.territory_root = tree_node("Territory", "territory_name", "All Territories", 1)
		cls.territory_child = tree_node("Territory", "territory_name", cls.territory_root)
		cls.item = make_item(cls.item_child)
		cls.other_item = make_item(cls.other_items)
		frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 1)
		planner.clear_rules_cache()

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		planner.clear_rules_cache()

	def setUp(self):
		# each test starts from the class's data: the rules of one test do not act in the next
		frappe.db.savepoint("repeat_sales_test")
		planner.clear_rules_cache()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback(save_point="repeat_sales_test")
		planner.clear_rules_cache()

	def rule(self, **values):
		doc = frappe.get_doc(
			{
				"doctype": "Repeat Sale Rule",
				"rule_name": unique("Rule"),
				"enabled": 1,
				"trigger_doctype": "Sales Invoice",
				"mode": "One-off",
				"interval": 90,
				"interval_unit": "Days",
				"create_event": 1,
				"create_todo": 1,
				"customer_group": self.group_root,
				**values,
			}
		).insert()
		return doc

	def customer(self, group=None, territory=None, manager="default"):
		return make_customer(
			group or self.group_child,
			territory or self.territory_child,
			self.manager if manager == "default" else manager,
		)

	def invoice(self, customer, posting_date, item=None, submit=True, **values):
		si = frappe.get_doc(
			{
				"doctype": "Sales Invoice",
				"customer": customer,
				"company": self.company,
				"set_posting_time": 1,
				"posting_date": posting_date,
				"due_date": posting_date,
				"update_stock": 0,
				"items": [{"item_code": item or self.item, "qty": 1, "rate": 100}],
				**values,
			}
		)
		si.insert()
		if submit:
			si.submit()
		return si

	def delivery(self, customer, posting_date, item=None):
		dn = frappe.get_doc(
			{
				"doctype": "Delivery Note",
				"customer": customer,
				"company": self.company,
				"set_posting_time": 1,
				"posting_date": posting_date,
				"items": [{"item_code": item or self.item, "qty": 1, "rate": 100}],
			}
		)
		dn.insert()
		dn.submit()
		return dn

	def daily(self, today):
		with patch.object(frappe.db, "commit"):
			return planner.run_daily(today)


class TestOneOff(RepeatSalesCase):
	def test_invoice_schedules_a_reminder_and_cancel_undoes_it(self):
		rule = self.rule()
		customer = self.customer()
		si = self.invoice(customer, "2026-01-10")
		[pc] = contacts(customer)
		self.assertEqual(
			(pc.rule, pc.mode, pc.status, getdate(pc.due_date)),
			(rule.name, "One-off", "Scheduled", getdate("2026-04-10")),
		)
		self.assertEqual((pc.source_doctype, pc.source_name), ("Sales Invoice", si.name))
		si.reload()
		si.cancel()
		[pc] = contacts(customer)
		self.assertEqual(pc.status, "Cancelled")
		self.assertIn(si.name, pc.reason)
		self.assertIn("was cancelled", pc.reason)

	def test_newer_purchase_supersedes_and_its_cancel_restores(self):
		self.rule(interval=3, interval_unit="Months")
		customer = self.customer()
		first = self.invoice(customer, "2026-01-31")
		second = self.invoice(customer, "2026-02-15")
		old, new = contacts(customer)
		self.assertEqual((old.status, old.superseded_by), ("Cancelled", new.name))
		self.assertIn(second.name, old.reason)
		self.assertIn("bought again", old.reason)
		self.assertEqual((new.status, getdate(new.due_date)), ("Scheduled", getdate("2026-05-15")))
		# a purchase dated before the newer one changes nothing
		self.invoice(customer, "2026-02-01")
		self.assertEqual([c.status for c in contacts(customer)], ["Cancelled", "Scheduled"])
		second.reload()
		second.cancel()
		old, new = contacts(customer)
		self.assertEqual((old.status, old.superseded_by), ("Scheduled", None))
		self.assertEqual(getdate(old.due_date), getdate("2026-04-30"))  # Jan 31 + 3 months, clamped
		self.assertEqual(new.status, "Cancelled")
		self.assertEqual(first.docstatus, 1)

	def test_credit_notes_and_other_customers_schedule_nothing(self):
		self.rule()
		other = self.customer(group=self.other_group)
		self.invoice(other, "2026-01-10")
		self.assertEqual(contacts(other), [])
		customer = self.customer()
		si = self.invoice(customer, "2026-01-10")
		from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

		ret = make_sales_return(si.name)
		ret.insert()
		ret.submit()
		self.assertEqual(len(contacts(customer)), 1)

	def test_daily_job_creates_event_todo_and_opportunity_once(self):
		repeat = make_funnel(purpose="Repeat Sale", stages=REPEAT).name
		rule = self.rule(
			create_opportunity=1, opportunity_funnel=repeat, note="Offer the new season catalogue"
		)
		customer = self.customer()
		si = self.invoice(customer, "2026-01-10")
		self.assertEqual(self.daily("2026-04-09"), {})  # not due yet
		self.assertEqual(self.daily("2026-04-10"), {"Done": 1, "Skipped": 0, "Failed": 0})
		[pc] = contacts(customer)
		self.assertEqual(pc.status, "Done")
		event = frappe.get_doc("Event", pc.created_event)
		self.assertEqual(event.owner, self.manager)
		self.assertEqual(getdate(event.starts_on), getdate("2026-04-10"))
		self.assertIn("Offer the new season catalogue", event.description)
		self.assertEqual(
			[(p.reference_doctype, p.reference_docname) for p in event.event_participants],
			[("Customer", customer)],
		)
		todo = frappe.get_doc("ToDo", pc.created_todo)
		self.assertEqual(
			(todo.allocated_to, todo.reference_type, todo.reference_name),
			(self.manager, "Customer", customer),
		)
		opp = frappe.get_doc("Opportunity", pc.created_opportunity)
		self.assertEqual((opp.opportunity_from, opp.party_name), ("Customer", customer))
		self.assertEqual((opp.funnel, opp.funnel_stage), (repeat, "Repeat offer"))
		self.assertEqual((opp.funnel_source_doctype, opp.funnel_source_name), ("Sales Invoice", si.name))
		self.assertEqual(opp.opportunity_owner, self.manager)
		# a second run the same day (or later) creates nothing twice
		counts = {dt: frappe.db.count(dt) for dt in ("Event", "ToDo", "Opportunity", "Planned Contact")}
		self.assertEqual(self.daily("2026-04-10"), {})
		planner.work_contact(
			frappe._dict(pc), frappe._dict(planner.get_rule(rule.name)), getdate("2026-04-10")
		)
		self.assertEqual(counts, {dt: frappe.db.count(dt) for dt in counts})

	def test_customer_who_bought_again_is_not_nagged(self):
		rule = self.rule()
		customer = self.customer()
		self.invoice(customer, "2026-01-10")
		# bought again while the rule was disabled: nothing superseded the reminder on submit
		frappe.db.set_value("Repeat Sale Rule", rule.name, "enabled", 0)
		planner.clear_rules_cache()
		again = self.invoice(customer, "2026-03-01")
		self.assertEqual(len(contacts(customer)), 1)
		frappe.db.set_value("Repeat Sale Rule", rule.name, "enabled", 1)
		planner.clear_rules_cache()
		events = frappe.db.count("Event")
		self.assertEqual(self.daily("2026-04-10")["Skipped"], 1)
		[pc] = contacts(customer)
		self.assertEqual(pc.status, "Skipped")
		self.assertIn(again.name, pc.reason)
		self.assertEqual(frappe.db.count("Event"), events)

	def test_disabled_rule_schedules_nothing_and_keeps_history(self):
		rule = self.rule()
		customer = self.customer()
		self.invoice(customer, "2026-01-10")
		rule.reload()
		rule.enabled = 0
		rule.save()
		self.invoice(self.customer(), "2026-01-11")
		self.assertEqual(frappe.db.count("Planned Contact", {"rule": rule.name}), 1)
		self.assertEqual(self.daily("2026-12-31"), {})
		self.assertEqual(contacts(customer)[0].status, "Scheduled")  # paused, not lost
		with self.assertRaises(frappe.LinkExistsError):
			frappe.delete_doc("Repeat Sale Rule", rule.name)
		self.assertTrue(frappe.db.exists("Repeat Sale Rule", rule.name))

	def test_broken_rule_never_blocks_the_invoice(self):
		rule = self.rule()
		customer = self.customer()
		with patch.object(planner, "_schedule_one_off", side_effect=RuntimeError("boom")):
			si = self.invoice(customer, "2026-01-10")
		self.assertEqual(si.docstatus, 1)
		self.assertEqual(contacts(customer), [])
		log = frappe.get_all(
			"Error Log", filters={"reference_name": si.name}, fields=["method", "error"], limit=1
		)
		self.assertTrue(log)
		self.assertIn(customer, log[0].method)
		self.assertIn(rule.name, log[0].method)


class TestMatching(RepeatSalesCase):
	def test_customer_group_and_territory_include_descendants(self):
		self.rule(customer_group=self.group_root, territory=self.territory_root)
		inside = self.customer(group=self.group_child, territory=self.territory_child)
		wrong_territory = self.customer(group=self.group_child, territory="All Territories")
		wrong_group = self.customer(group=self.other_group, territory=self.territory_child)
		for customer in (inside, wrong_territory, wrong_group):
			self.invoice(customer, "2026-01-10")
		self.assertEqual(len(contacts(inside)), 1)
		self.assertEqual(contacts(wrong_territory), [])
		self.assertEqual(contacts(wrong_group), [])

	def test_item_group_includes_descendants(self):
		self.rule(item_group=self.item_root, customer_group=None)
		customer = self.customer()
		self.invoice(customer, "2026-01-10", item=self.other_item)
		self.assertEqual(contacts(customer), [])
		self.invoice(customer, "2026-01-12", item=self.item)  # item of a child group
		self.assertEqual(len(contacts(customer)), 1)

	def test_owner_falls_back_to_rule_user_then_submitter(self):
		fallback = make_user("repeat-fallback@example.test", "Sales User")
		rule = self.rule(fallback_user=fallback)
		customer = self.customer(manager=None)
		self.invoice(customer, "2026-01-10")
		self.daily("2026-04-10")
		[pc] = contacts(customer)
		self.assertEqual(frappe.db.get_value("ToDo", pc.created_todo, "allocated_to"), fallback)
		rule.reload()
		rule.fallback_user = None
		rule.save()
		other = self.customer(manager=None)
		self.invoice(other, "2026-01-10")
		self.daily("2026-04-10")
		[pc] = contacts(other)
		self.assertEqual(frappe.db.get_value("Event", pc.created_event, "owner"), frappe.session.user)

	def test_todo_for_every_user_of_a_role(self):
		role = "Repeat Sales Test Role"
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert()
		users = [make_user(f"repeat-role-{i}@example.test", "Sales User", role) for i in (1, 2)]
		self.rule(create_event=0, assign_to_role=role)
		customer = self.customer()
		self.invoice(customer, "2026-01-10")
		self.daily("2026-04-10")
		todos = frappe.get_all(
			"ToDo", filters={"reference_type": "Customer", "reference_name": customer}, pluck="allocated_to"
		)
		self.assertEqual(sorted(todos), users)
		self.assertIsNone(contacts(customer)[0].created_event)


class TestCyclic(RepeatSalesCase):
	def test_delivery_notes_start_a_monthly_cycle_and_move_the_deal(self):
		sale = make_funnel(stages=SALE).name
		supplies = make_funnel(purpose="Repeat Sale", stages=SUPPLIES).name
		rule = self.rule(
			trigger_doctype="Delivery Note",
			mode="Cyclic",
			interval=1,
			interval_unit="Months",
			move_deal_to_funnel=supplies,
			move_deal_to_stage="volume agreed",
		)
		self.assertEqual(rule.move_deal_to_stage, "Volume agreed")
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
		today = getdate(nowdate())
		first = self.delivery(customer, today)
		self.delivery(customer, today)  # the cycle is already running: no second one
		[pc] = contacts(customer)
		due = occurrence(today, 1, 1, "Months")
		self.assertEqual((pc.mode, pc.cycle_no, getdate(pc.due_date)), ("Cyclic", 1, due))
		self.assertEqual((pc.source_doctype, pc.source_name), ("Delivery Note", first.name))
		deal.reload()
		self.assertEqual((deal.funnel, deal.funnel_stage), (supplies, "Volume agreed"))
		self.assertEqual(pc.moved_opportunity, deal.name)
		moves = transitions("Opportunity", deal.name)
		self.assertEqual((moves[-1].from_funnel, moves[-1].funnel), (sale, supplies))
		self.assertIn(first.name, moves[-1].comment)

		self.assertEqual(self.daily(due)["Done"], 1)
		done, nxt = contacts(customer)
		self.assertEqual(done.status, "Done")
		self.assertEqual(frappe.db.get_value("Event", done.created_event, "owner"), self.manager)
		self.assertEqual((nxt.status, nxt.cycle_no), ("Scheduled", 2))
		self.assertEqual(getdate(nxt.due_date), occurrence(today, 2, 1, "Months"))
		self.assertEqual(self.daily(due), {})
		self.assertEqual(len(contacts(customer)), 2)

		# cancelling the shipment that started the cycle restarts it from the other one
		first.reload()
		first.cancel()
		rows = contacts(customer)
		self.assertEqual([r.status for r in rows], ["Done", "Cancelled", "Scheduled"])
		self.assertNotEqual(rows[2].source_name, first.name)

	def test_cycle_stops_when_no_shipment_holds_it_and_missed_days_do_not_pile_up(self):
		self.rule(trigger_doctype="Delivery Note", mode="Cyclic", interval=1, interval_unit="Weeks")
		customer = self.customer()
		today = getdate(nowdate())
		dn = self.delivery(customer, today)
		[pc] = contacts(customer)
		self.assertEqual(getdate(pc.due_date), add_days(today, 7))
		# the job did not run for five weeks: one contact is done, the next one is in the future
		self.assertEqual(self.daily(add_days(today, 35))["Done"], 1)
		done, nxt = contacts(customer)
		self.assertEqual(done.status, "Done")
		self.assertEqual(getdate(nxt.due_date), add_days(today, 42))
		self.assertEqual(nxt.cycle_no, 6)
		dn.reload()
		dn.cancel()
		self.assertEqual([r.status for r in contacts(customer)], ["Done", "Cancelled"])

	def test_failure_of_one_customer_does_not_stop_the_others(self):
		self.rule(trigger_doctype="Sales Invoice", mode="Cyclic", interval=1, interval_unit="Months")
		today = getdate(nowdate())
		bad, good = self.customer(), self.customer()
		self.invoice(bad, today)
		self.invoice(good, today)
		real = planner._make_todos

		def flaky(rule, customer, contact, owner, text):
			if customer.name == bad:
				raise ValueError("mailbox of the account owner is full")
			return real(rule, customer, contact, owner, text)

		with patch.object(planner, "_make_todos", side_effect=flaky):
			counts = self.daily(add_months(today, 1))
		self.assertEqual((counts["Done"], counts["Failed"]), (1, 1))
		failed = contacts(bad)[0]
		self.assertEqual(failed.status, "Failed")
		self.assertIn("mailbox of the account owner is full", failed.reason)
		self.assertIsNone(failed.created_event)  # the customer's half-done work was rolled back
		self.assertEqual(contacts(good)[0].status, "Done")
		self.assertTrue(
			frappe.db.exists("Error Log", {"method": ("like", f"%{bad}%"), "reference_name": bad})
		)
		# the failed customer's cycle goes on
		self.assertEqual(contacts(bad)[1].status, "Scheduled")


class TestLargeVolumes(RepeatSalesCase):
	def test_large_volumes_go_to_the_long_queue_in_chunks(self):
		self.rule()
		customers = [self.customer() for _ in range(5)]
		for customer in customers:
			self.invoice(customer, "2026-01-10")
		names = frappe.get_all(
			"Planned Contact", filters={"customer": ("in", customers)}, pluck="name", order_by="name asc"
		)
		frappe.flags.in_test = False  # outside tests large volumes are enqueued
		try:
			with patch.object(planner, "CHUNK", 2), patch("frappe.enqueue") as enqueue:
				self.assertEqual(planner.run_daily("2026-04-10"), {"enqueued": 5})
		finally:
			frappe.flags.in_test = True
		calls = [c.kwargs for c in enqueue.call_args_list]
		self.assertEqual(
			[(c["first"], c["last"]) for c in calls],
			[(names[0], names[1]), (names[2], names[3]), (names[4], names[4])],
		)
		self.assertEqual({c["queue"] for c in calls}, {"long"})
		self.assertTrue(all(c["deduplicate"] and c["job_id"].endswith(c["first"]) for c in calls))
		# each chunk works exactly its contacts; running a chunk twice does nothing more
		with patch.object(frappe.db, "commit"):
			first = calls[1]
			self.assertEqual(planner.process_due(first["today"], first["first"], first["last"])["Done"], 2)
			self.assertEqual(planner.process_due(first["today"], first["first"], first["last"])["Done"], 0)
		done = frappe.get_all(
			"Planned Contact", filters={"name": ("in", names), "status": "Done"}, pluck="name"
		)
		self.assertEqual(sorted(done), names[2:4])


class TestRulesAndPermissions(RepeatSalesCase):
	def test_validation_names_the_field(self):
		cases = [
			({"interval": 0}, "Interval"),
			({"create_event": 0, "create_todo": 0}, "Create Event"),
			({"create_opportunity": 1}, "Opportunity Funnel"),
			({"move_deal_to_funnel": make_funnel(stages=SUPPLIES).name}, "Move Deal to Funnel"),
			(
				{
					"mode": "Cyclic",
					"move_deal_to_funnel": make_funnel(stages=SUPPLIES).name,
					"move_deal_to_stage": "Nowhere",
				},
				"Nowhere",
			),
			(
				{"create_opportunity": 1, "opportunity_funnel": make_funnel("Lead", stages=SALE).name},
				"not an enabled funnel of Opportunities",
			),
		]
		for values, message in cases:
			with self.subTest(values=values), self.assertRaises(frappe.ValidationError) as ctx:
				self.rule(**values)
			self.assertIn(message, str(ctx.exception))

	def test_only_managers_edit_rules_and_nobody_writes_planned_contacts(self):
		sales_user = make_user("repeat-sales-user@example.test", "Sales User")
		funnel_manager = make_user("repeat-funnel-manager@example.test", "Funnel Manager")
		rule = self.rule()
		customer = self.customer()
		self.invoice(customer, "2026-01-10")
		pc = contacts(customer)[0].name
		try:
			frappe.set_user(sales_user)
			self.assertTrue(frappe.has_permission("Repeat Sale Rule", "read", rule.name))
			with self.assertRaises(frappe.PermissionError):
				self.rule()
			doc = frappe.get_doc("Repeat Sale Rule", rule.name)
			doc.interval = 30
			with self.assertRaises(frappe.PermissionError):
				doc.save()
			self.assertTrue(frappe.has_permission("Planned Contact", "read", pc))
			self.assertFalse(frappe.has_permission("Planned Contact", "create"))
			frappe.set_user(funnel_manager)
			self.rule()
			self.assertFalse(frappe.has_permission("Planned Contact", "write", pc))
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc(
					{
						"doctype": "Planned Contact",
						"customer": customer,
						"rule": rule.name,
						"due_date": nowdate(),
					}
				).insert()
		finally:
			frappe.set_user("Administrator")

	def test_customer_dashboard_shows_planned_contacts(self):
		data = frappe.get_meta("Customer").get_dashboard_data()
		groups = [g for g in data.transactions if "Planned Contact" in g["items"]]
		self.assertEqual(len(groups), 1)
		self.assertEqual(data.fieldname, "customer")
		customer = self.customer()
		self.rule()
		self.invoice(customer, "2026-01-10")
		from frappe.desk.notifications import get_open_count

		counts = get_open_count("Customer", customer)
		self.assertEqual(
			[
				c["count"]
				for c in counts["count"]["external_links_found"]
				if c["doctype"] == "Planned Contact"
			],
			[1],
		)


class TestApi(RepeatSalesCase):
	def test_planned_contacts_of_a_customer_for_readers_only(self):
		from funnel_suite.api import get_planned_contacts

		self.rule()
		customer = self.customer()
		self.invoice(customer, "2026-01-10")
		self.invoice(customer, "2026-02-10")
		rows = get_planned_contacts(customer)
		self.assertEqual([r.status for r in rows], ["Scheduled", "Cancelled"])
		self.assertEqual([r.status for r in get_planned_contacts(customer, "Cancelled")], ["Cancelled"])
		with self.assertRaises(frappe.ValidationError) as ctx:
			get_planned_contacts(customer, "Pending")
		self.assertIn("Scheduled", str(ctx.exception))
		with self.assertRaises(frappe.DoesNotExistError):
			get_planned_contacts("No such customer")
		outsider = make_user("repeat-outsider@example.test", "Purchase User")
		try:
			frappe.set_user(outsider)
			with self.assertRaises(frappe.PermissionError):
				get_planned_contacts(customer)
		finally:
			frappe.set_user("Administrator")

	def test_only_managers_run_the_job_now(self):
		from funnel_suite.api import run_repeat_sales_now

		sales_user = make_user("repeat-sales-user@example.test", "Sales User")
		manager = make_user("repeat-sales-manager@example.test", "Sales Manager")
		self.rule(mode="Cyclic", interval=1, interval_unit="Days")
		customer = self.customer()
		self.invoice(customer, add_days(nowdate(), -1))
		try:
			frappe.set_user(sales_user)
			with self.assertRaises(frappe.PermissionError):
				run_repeat_sales_now()
			self.assertEqual(contacts(customer)[0].status, "Scheduled")
			frappe.set_user(manager)
			with patch.object(frappe.db, "commit"):
				self.assertEqual(run_repeat_sales_now(), {"queued": True})
		finally:
			frappe.set_user("Administrator")
		self.assertEqual([c.status for c in contacts(customer)], ["Done", "Scheduled"])

	def test_user_permissions_on_customer_apply_to_planned_contacts(self):
		from funnel_suite.api import get_planned_contacts

		self.rule()
		mine, theirs = self.customer(), self.customer()
		for customer in (mine, theirs):
			self.invoice(customer, "2026-01-10")
		user = make_user("repeat-restricted@example.test", "Sales User")
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Customer", "for_value": mine}
		).insert(ignore_permissions=True)
		try:
			frappe.set_user(user)
			visible = frappe.get_list(
				"Planned Contact", filters={"customer": ("in", [mine, theirs])}, pluck="customer"
			)
			self.assertEqual(visible, [mine])
			self.assertEqual(len(get_planned_contacts(mine)), 1)
			with self.assertRaises(frappe.PermissionError):
				get_planned_contacts(theirs)
		finally:
			frappe.set_user("Administrator")
