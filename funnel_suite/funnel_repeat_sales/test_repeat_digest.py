"""The daily job's batch work and the digest option of a Repeat Sale Rule ("One reminder per
account owner per day"), on a real ERPNext site, as the roles that use them."""

from unittest.mock import patch
from urllib.parse import quote

import frappe

from funnel_suite.funnel_repeat_sales import digest
from funnel_suite.funnel_repeat_sales.test_repeat_sales import RepeatSalesCase, contacts
from funnel_suite.tests.utils import count_queries, make_user

BOUGHT = "2026-01-10"
DUE = "2026-04-10"  # 90 days later


def href(customer: str) -> str:
	return f"/app/customer/{quote(customer, safe='')}"


class DigestCase(RepeatSalesCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.other_owner = make_user("repeat-digest-other@example.test", "Sales User")

	def bought(self, n, manager="default", posting_date=BOUGHT):
		customers = [self.customer(manager=manager) for _ in range(n)]
		for customer in customers:
			self.invoice(customer, posting_date)
		return customers

	def digests(self, rule):
		return frappe.get_all(
			"Repeat Sale Digest",
			filters={"rule": rule},
			fields=["*"],
			order_by="account_owner asc, part asc",
		)


class TestDigest(DigestCase):
	def test_one_event_and_todo_per_owner_and_day_listing_the_customers(self):
		rule = self.rule(digest=1, note="Offer the <b>spring</b> catalogue")
		mine = self.bought(3)
		theirs = self.bought(1, manager=self.other_owner)
		before = {dt: frappe.db.count(dt) for dt in ("Event", "ToDo")}
		self.assertEqual(self.daily(DUE), {"Done": 4, "Skipped": 0, "Failed": 0})
		# two owners: two Events and two ToDos, not four of each
		self.assertEqual({dt: frappe.db.count(dt) - n for dt, n in before.items()}, {"Event": 2, "ToDo": 2})
		by_owner = {d.account_owner: d for d in self.digests(rule.name)}
		self.assertEqual(sorted(by_owner), sorted([self.manager, self.other_owner]))
		day = by_owner[self.manager]
		self.assertEqual((str(day.digest_date), day.part, day.contact_count), (DUE, 1, 3))
		event = frappe.get_doc("Event", day.event)
		self.assertEqual((event.owner, event.event_type), (self.manager, "Private"))
		self.assertEqual(str(event.starts_on.date()), DUE)
		self.assertIn("3", event.subject)
		todo = frappe.get_doc("ToDo", day.todo)
		self.assertEqual(
			(todo.allocated_to, todo.reference_type, todo.reference_name, todo.status),
			(self.manager, "Repeat Sale Digest", day.name, "Open"),
		)
		for doc in (event, todo):
			for customer in mine:
				name = frappe.db.get_value("Customer", customer, "customer_name")
				self.assertIn(f'<a href="{href(customer)}">{name}</a>', doc.description)
			self.assertNotIn(theirs[0], doc.description)
			self.assertIn("Offer the &lt;b&gt;spring&lt;/b&gt; catalogue", doc.description)
		# every contact is recorded, linked to its owner's digest, Event and ToDo
		for customer in mine:
			[pc] = contacts(customer)
			self.assertEqual(
				(pc.status, pc.digest, pc.created_event, pc.created_todo),
				("Done", day.name, day.event, day.todo),
			)
			self.assertTrue(pc.done_on)
		[pc] = contacts(theirs[0])
		self.assertEqual(pc.digest, by_owner[self.other_owner].name)
		# the ToDo went through its controller: the assignment comment is on the digest
		self.assertTrue(
			frappe.db.exists(
				"Comment",
				{
					"reference_doctype": "Repeat Sale Digest",
					"reference_name": day.name,
					"comment_type": "Assigned",
				},
			)
		)

	def test_a_customer_name_with_markup_is_listed_as_text(self):
		rule = self.rule(digest=1)
		[customer] = self.bought(1)
		frappe.db.set_value("Customer", customer, "customer_name", '<img src=x onerror="alert(1)">Acme')
		self.daily(DUE)
		[day] = self.digests(rule.name)
		for text in (
			day.customers,
			frappe.db.get_value("Event", day.event, "description"),
			frappe.db.get_value("ToDo", day.todo, "description"),
		):
			self.assertNotIn("<img", text)
			self.assertIn("&lt;img", text)
			self.assertIn(href(customer), text)

	def test_rerun_creates_nothing_and_a_later_contact_is_appended(self):
		rule = self.rule(digest=1)
		first = self.bought(2)
		self.daily(DUE)
		counts = {
			dt: frappe.db.count(dt) for dt in ("Event", "ToDo", "Repeat Sale Digest", "Planned Contact")
		}
		self.assertEqual(self.daily(DUE), {})
		self.assertEqual(counts, {dt: frappe.db.count(dt) for dt in counts})
		# a contact that becomes due later the same day joins the owner's open digest of the day
		[late] = self.bought(1)
		self.assertEqual(self.daily(DUE)["Done"], 1)
		[day] = self.digests(rule.name)
		self.assertEqual(day.contact_count, 3)
		event = frappe.get_doc("Event", day.event)
		todo = frappe.get_doc("ToDo", day.todo)
		for customer in (*first, late):
			self.assertIn(href(customer), event.description)
			self.assertIn(href(customer), todo.description)
		self.assertEqual(contacts(late)[0].digest, day.name)
		self.assertEqual(frappe.db.count("Event"), counts["Event"])
		# once the owner has closed the day's ToDo, a later contact starts a second part
		todo.status = "Closed"
		todo.save()
		[later] = self.bought(1)
		self.assertEqual(self.daily(DUE)["Done"], 1)
		one, two = self.digests(rule.name)
		self.assertEqual((one.contact_count, two.part, two.contact_count), (3, 2, 1))
		self.assertIn(href(later), frappe.db.get_value("ToDo", two.todo, "description"))
		self.assertNotIn(href(later), frappe.db.get_value("ToDo", one.todo, "description"))
		self.assertIn("(part 2)", frappe.db.get_value("Event", two.event, "subject"))

	def test_a_full_part_continues_in_the_next(self):
		rule = self.rule(digest=1, create_event=0)
		customers = self.bought(5)
		with patch.object(digest, "DIGEST_SIZE", 2):
			self.assertEqual(self.daily(DUE)["Done"], 5)
		parts = self.digests(rule.name)
		self.assertEqual([(p.part, p.contact_count) for p in parts], [(1, 2), (2, 2), (3, 1)])
		self.assertEqual([p.event for p in parts], [None, None, None])  # the rule makes no Event
		self.assertEqual(
			sorted(
				c
				for p in parts
				for c in frappe.get_all("Planned Contact", {"digest": p.name}, pluck="customer")
			),
			sorted(customers),
		)

	def test_one_customer_failing_does_not_stop_the_digest(self):
		rule = self.rule(digest=1)
		bad, good = self.bought(2)
		other = self.bought(1, manager=self.other_owner)[0]
		real = digest.digest_line

		def flaky(rule, customer, contact):
			if customer.name == bad:
				raise ValueError("the customer's name cannot be shown")
			return real(rule, customer, contact)

		with patch.object(digest, "digest_line", side_effect=flaky):
			self.assertEqual(self.daily(DUE), {"Done": 2, "Skipped": 0, "Failed": 1})
		failed = contacts(bad)[0]
		self.assertEqual((failed.status, failed.digest), ("Failed", None))
		self.assertIn("cannot be shown", failed.reason)
		self.assertTrue(
			frappe.db.exists("Error Log", {"method": ("like", f"%{bad}%"), "reference_name": bad})
		)
		done = contacts(good)[0]
		self.assertEqual(done.status, "Done")
		self.assertNotIn(bad, frappe.db.get_value("ToDo", done.created_todo, "description"))
		# an owner whose digest cannot be written fails alone: the other owner's digest is made
		more_bad = self.bought(2)
		more_other = self.bought(1, manager=self.other_owner)[0]
		real_insert = digest._insert_digest

		def broken(rule, owner, *args):
			if owner == self.manager:
				raise RuntimeError("calendar unavailable")
			return real_insert(rule, owner, *args)

		with patch.object(digest, "_insert_digest", side_effect=broken):
			todo = frappe.get_doc("ToDo", done.created_todo)
			todo.status = "Closed"  # the manager's next contacts need a new part
			todo.save()
			self.assertEqual(self.daily(DUE), {"Done": 1, "Skipped": 0, "Failed": 2})
		for customer in more_bad:
			pc = contacts(customer)[0]
			self.assertEqual((pc.status, pc.created_todo), ("Failed", None))
			self.assertIn("calendar unavailable", pc.reason)
		self.assertEqual(contacts(more_other)[0].status, "Done")
		self.assertEqual(contacts(more_other)[0].digest, contacts(other)[0].digest)
		self.assertEqual(len(self.digests(rule.name)), 2)  # nothing half-written for the manager

	def test_a_cyclic_rule_in_digest_mode_schedules_the_next_contact(self):
		rule = self.rule(mode="Cyclic", interval=1, interval_unit="Months", digest=1)
		[customer] = self.bought(1)
		[first] = contacts(customer)
		self.assertEqual(self.daily(first.due_date)["Done"], 1)
		done, nxt = contacts(customer)
		[day] = self.digests(rule.name)
		self.assertEqual((done.status, done.digest), ("Done", day.name))
		self.assertIn(
			f"planned contact no. {first.cycle_no}", frappe.db.get_value("ToDo", day.todo, "description")
		)
		self.assertEqual((nxt.status, nxt.cycle_no), ("Scheduled", first.cycle_no + 1))
		self.assertGreater(nxt.due_date, first.due_date)

	def test_skips_still_hold_in_digest_mode(self):
		self.rule(digest=1)
		[again, due] = self.bought(2)
		self.invoice(again, "2026-03-01")  # bought again: its reminder is superseded on submit
		self.assertEqual(contacts(again)[0].status, "Cancelled")
		si = frappe.get_doc("Sales Invoice", contacts(due)[0].source_name)
		frappe.db.set_value("Sales Invoice", si.name, "docstatus", 2)  # cancelled behind the app's back
		counts = self.daily("2026-06-01")
		self.assertEqual(counts["Skipped"], 1)
		self.assertEqual(contacts(due)[0].status, "Skipped")
		self.assertIn("was cancelled", contacts(due)[0].reason)


class TestDigestPermissions(DigestCase):
	def test_the_owner_sees_their_digest_and_another_sales_user_does_not(self):
		rule = self.rule(digest=1)
		self.bought(2)
		self.daily(DUE)
		[day] = self.digests(rule.name)
		try:
			frappe.set_user(self.manager)
			self.assertEqual(frappe.get_list("ToDo", filters={"name": day.todo}, pluck="name"), [day.todo])
			self.assertEqual(frappe.get_list("Event", filters={"name": day.event}, pluck="name"), [day.event])
			self.assertTrue(frappe.has_permission("Event", "read", day.event))
			self.assertEqual(
				frappe.get_list("Repeat Sale Digest", filters={"rule": rule.name}, pluck="name"), [day.name]
			)
			frappe.get_doc("Repeat Sale Digest", day.name).check_permission("read")
			frappe.set_user(self.other_owner)
			self.assertEqual(frappe.get_list("ToDo", filters={"name": day.todo}), [])
			self.assertEqual(frappe.get_list("Event", filters={"name": day.event}), [])
			self.assertFalse(frappe.has_permission("ToDo", "read", day.todo))
			self.assertFalse(frappe.has_permission("Event", "read", day.event))
			self.assertEqual(frappe.get_list("Repeat Sale Digest", filters={"rule": rule.name}), [])
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc("Repeat Sale Digest", day.name).check_permission("read")
			# nobody writes a digest by hand, not even its owner
			frappe.set_user(self.manager)
			doc = frappe.get_doc("Repeat Sale Digest", day.name)
			doc.contact_count = 0
			with self.assertRaises(frappe.PermissionError):
				doc.save()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Repeat Sale Digest", day.name, "contact_count"), 2)

	def test_the_sales_manager_sets_the_digest_a_sales_user_cannot(self):
		sales_manager = make_user("repeat-digest-manager@example.test", "Sales Manager")
		try:
			frappe.set_user(sales_manager)
			rule = self.rule()
			rule.digest = 1
			rule.save()
			self.assertEqual(frappe.db.get_value("Repeat Sale Rule", rule.name, "digest"), 1)
			frappe.set_user(self.manager)  # a Sales User reads rules, writes none
			doc = frappe.get_doc("Repeat Sale Rule", rule.name)
			doc.digest = 0
			with self.assertRaises(frappe.PermissionError):
				doc.save()
			with self.assertRaises(frappe.PermissionError):
				self.rule(digest=1)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Repeat Sale Rule", rule.name, "digest"), 1)

	def test_digest_needs_an_event_or_a_todo(self):
		from funnel_suite.funnel_repeat_sales.test_repeat_sales import REPEAT
		from funnel_suite.tests.utils import make_funnel

		funnel = make_funnel(purpose="Repeat Sale", stages=REPEAT).name
		with self.assertRaises(frappe.ValidationError) as ctx:
			self.rule(
				digest=1, create_event=0, create_todo=0, create_opportunity=1, opportunity_funnel=funnel
			)
		self.assertIn("One reminder per account owner per day", str(ctx.exception))
		self.assertIn("Create Event", str(ctx.exception))


class TestBatchQueries(DigestCase):
	def queries(self, n):
		customers = self.bought(n)
		count = count_queries(lambda: self.daily(DUE))
		self.assertEqual({c.status for cu in customers for c in contacts(cu)}, {"Done"})
		return count

	def test_normal_mode_queries_per_contact_do_not_grow_with_the_batch(self):
		self.rule()
		self.queries(1)  # warm-up: caches of the host's controllers
		two, four, eight = self.queries(2), self.queries(4), self.queries(8)
		per_contact = (four - two) / 2
		self.assertEqual(eight - four, 4 * per_contact)
		# what the app adds to the host's Event and ToDo inserts of a contact: the savepoint and
		# the Planned Contact's UPDATE; all it reads is read once per batch
		self.bare(1)
		bare = (self.bare(4) - self.bare(2)) / 2
		self.assertLessEqual(per_contact - bare, 2)

	def bare(self, n):
		"""Queries of the host's own Event + ToDo inserts for n customers, as the job makes them."""
		customers = [self.customer() for _ in range(n)]

		def insert():
			for customer in customers:
				frappe.get_doc(
					{
						"doctype": "Event",
						"subject": "Repeat sale",
						"event_category": "Call",
						"event_type": "Private",
						"starts_on": f"{DUE} 09:00:00",
						"ends_on": f"{DUE} 09:30:00",
						"description": "bought and has not bought again",
						"event_participants": [
							{"reference_doctype": "Customer", "reference_docname": customer}
						],
					}
				).insert(ignore_permissions=True)
				frappe.get_doc(
					{
						"doctype": "ToDo",
						"allocated_to": self.manager,
						"description": "bought and has not bought again",
						"reference_type": "Customer",
						"reference_name": customer,
						"date": DUE,
						"assigned_by": "Administrator",
					}
				).insert(ignore_permissions=True)

		return count_queries(insert)

	def test_digest_mode_costs_less_than_a_query_per_contact(self):
		self.rule(digest=1)
		self.queries(1)  # the owner's digest of the day exists: the runs below append to it
		four = self.queries(4)
		twelve = self.queries(12)
		self.assertLess(twelve - four, 8)
