"""Fields the app owns cannot be set by users on any path; funnel changes respect the entry stage.

Issue 17 items 8 and 9, tried as a Sales User (and a Funnel Manager) through the paths a
browser or an integration uses: REST insert/update (frappe.api.v1), frappe.client.insert /
save / set_value, the desk form's save, bulk edit, Data Import's record writer and the
Kanban drag. The app's own writers (moves, disqualify, qualify, intake, hand-offs, upsell)
still set the fields.
"""

import json

import frappe
from frappe.utils import get_datetime, getdate

from funnel_suite.api import disqualify_lead, intake, make_upsell, move_card, qualify_lead
from funnel_suite.funnels.card import StageFieldsMissingError, StageRoleError
from funnel_suite.funnels.owned import OWNED_FIELDS, WHOLE_DOCUMENT, app_writes, owned_fields
from funnel_suite.install import CARD_FIELDNAMES
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lead_source,
	make_funnel,
	make_lead,
	make_opportunity,
	make_user,
	transitions,
	unique,
)

FAR_FUTURE = "2099-01-01 00:00:00"
# What an attacker tries to write into each owned field (a new owned field needs a line here).
ATTEMPTS = {
	"funnel_stage_since": FAR_FUTURE,
	"funnel_stale": "Escalated",
	"funnel_source_doctype": "Lead",
	"funnel_source_name": None,  # a real Lead, made in setUpClass
	"funnel_reanimated_on": "2099-01-01",
	"funnel_archived": 1,
	"funnel_disqualification_reason": "No budget",
	"funnel_disqualification_note": "written by hand",
	"funnel_external_id": "forged-external-id",
	"funnel_returning": 1,
	"funnel_phone_as_given": "call me maybe",
	"funnel_channel": "Telegram",
	"funnel": "Not a funnel",
	"funnel_stage": "Not a stage",
	"kanban_board": None,  # another funnel's board, made in setUpClass
	"preset": "default/Sales",
	# a procurement case's progress, read from its buying documents
	"ordered_percent": 100,
	"received_percent": 100,
	"billed_percent": 100,
	"paid_percent": 100,
	# where a warranty claim stands on its route (the route decides it)
	"warranty_node": "Warranty refund",
	"warranty_outcome": "Refund",
	"warranty_decision_path": [{"node": "Defect confirmed?", "answer": "Confirmed", "answered_by": "forged"}],
	# the production order of a Work Order / Job Card (set by "Create Work Order") and of the project
	# its Create Project hand-off opened (funnel_production/test_construction.py sets it on a real order)
	"production_order": "PRD-99999",
}


# A field the user may write, changed next to an owned one.
USER_FIELD = {"Lead": "funnel_need", "Opportunity": "job_title"}


def attempt(doctype: str) -> dict:
	return {field: ATTEMPTS[field] for field in owned_fields(doctype)}


def stored(doctype: str, name: str) -> dict:
	values = frappe.db.get_value(doctype, name, list(owned_fields(doctype)), as_dict=True)
	return {k: (str(v) if v is not None else None) for k, v in values.items()}


def rest(method, *args, data: dict):
	frappe.local.form_dict = frappe._dict(data=json.dumps(data))
	try:
		return method(*args)
	finally:
		frappe.local.form_dict = frappe._dict()


class TestOwnedFields(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.funnel = make_funnel().name
		cls.sales_user = make_user("funnel-owned-sales@example.test", "Sales User")
		ATTEMPTS["funnel_source_name"] = make_lead().name
		ATTEMPTS["kanban_board"] = frappe.db.get_value("Funnel", make_funnel().name, "kanban_board")

	def deal(self, **values):
		return make_opportunity(funnel=self.funnel, **values)

	def assert_unchanged(self, doctype, name, before):
		after = stored(doctype, name)
		self.assertEqual(after, before)
		for field, value in attempt(doctype).items():
			self.assertNotEqual(str(after[field]), str(value), field)

	# --- the declaration -----------------------------------------------------------------

	def test_every_owned_field_is_read_only_in_the_desk_and_has_an_attempt(self):
		for doctype, fields in OWNED_FIELDS.items():
			if fields == WHOLE_DOCUMENT:
				continue
			meta = frappe.get_meta(doctype)
			for field in fields:
				self.assertIn(field, ATTEMPTS, field)
				df = meta.get_field(field)
				self.assertTrue(df, f"{doctype}.{field}")
				self.assertTrue(df.read_only, f"{doctype}.{field} should be read-only in the desk")

	def test_every_read_only_field_the_app_adds_to_a_host_form_is_owned(self):
		for row in frappe.get_all(
			"Custom Field",
			filters={"fieldname": ("in", [*CARD_FIELDNAMES, "funnel", "funnel_stage"]), "read_only": 1},
			fields=["dt", "fieldname", "fieldtype"],
		):
			if row.fieldtype in ("Section Break", "Column Break", "Tab Break", "HTML"):
				continue
			self.assertIn(row.fieldname, owned_fields(row.dt), f"{row.dt}.{row.fieldname}")

	# --- update paths ----------------------------------------------------------------------

	def test_rest_put_cannot_set_owned_fields(self):
		from frappe.api.v1 import update_doc

		for doctype, card in (("Opportunity", self.deal()), ("Lead", make_lead())):
			before = stored(doctype, card.name)
			with self.set_user(self.sales_user):
				rest(update_doc, doctype, card.name, data=attempt(doctype))
			self.assert_unchanged(doctype, card.name, before)

	def test_the_issue_payload_is_ignored_and_the_card_still_goes_stale(self):
		"""PUT {"funnel_stage_since": "2099-…", "funnel_stale": "Escalated"} as in the report."""
		from frappe.api.v1 import update_doc

		from funnel_suite.funnels.stale import flag_stale_cards

		stale = make_funnel(
			stages=[
				{"stage_name": "Waiting", "stage_type": "Open", "stale_after_days": 2},
				{"stage_name": "Won", "stage_type": "Won"},
				{"stage_name": "Lost", "stage_type": "Lost"},
			]
		).name
		card = make_opportunity(funnel=stale)
		card.db_set("funnel_stage_since", "2020-01-01 00:00:00", update_modified=False)
		with self.set_user(self.sales_user):
			rest(
				update_doc,
				"Opportunity",
				card.name,
				data={"funnel_stage_since": FAR_FUTURE, "funnel_stale": "Escalated"},
			)
		since, mark = frappe.db.get_value("Opportunity", card.name, ["funnel_stage_since", "funnel_stale"])
		self.assertEqual((get_datetime(since).year, mark or ""), (2020, ""))
		flag_stale_cards()
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stale"), "Escalated")
		# a form opened before the daily job marked the card sends the old, empty mark back
		with self.set_user(self.sales_user):
			frappe.client.set_value("Opportunity", card.name, {"funnel_stale": "", "title": "x"})
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stale"), "Escalated")

	def test_client_set_value_and_save_cannot_set_owned_fields(self):
		"""Each field alone next to a change the user may make: the user's change is saved, the
		owned field keeps its value (a lineage name without its type is refused by the host's
		link check before that)."""
		for doctype, card in (("Opportunity", self.deal()), ("Lead", make_lead())):
			before = stored(doctype, card.name)
			mine = USER_FIELD[doctype]
			with self.set_user(self.sales_user):
				for field, value in attempt(doctype).items():
					if field in ("funnel", "funnel_stage"):
						continue  # moves, checked by the funnel's rules (test_moves)
					marker = unique("typed by the user")
					try:
						frappe.client.set_value(doctype, card.name, {field: value, mine: marker})
					except frappe.ValidationError as err:
						self.assertEqual(field, "funnel_source_name", str(err))
						continue
					self.assertEqual(frappe.db.get_value(doctype, card.name, mine), marker, field)
				doc = frappe.get_doc(doctype, card.name).as_dict()
				doc.update({f: v for f, v in attempt(doctype).items() if f not in ("funnel", "funnel_stage")})
				frappe.client.save(doc)
			self.assert_unchanged(doctype, card.name, before)

	def test_desk_form_save_bulk_edit_and_data_import_cannot_set_owned_fields(self):
		from frappe.core.doctype.data_import.importer import Importer
		from frappe.desk.doctype.bulk_update.bulk_update import submit_cancel_or_update_docs
		from frappe.desk.form.save import savedocs

		values = {f: v for f, v in attempt("Lead").items() if f not in ("funnel", "funnel_stage")}
		leads = [make_lead() for _ in range(3)]
		before = {lead.name: stored("Lead", lead.name) for lead in leads}
		with self.set_user(self.sales_user):
			form = frappe.get_doc("Lead", leads[0].name).as_dict()
			form.update(values)
			savedocs(json.dumps(form, default=str), "Save")
			submit_cancel_or_update_docs("Lead", json.dumps([leads[1].name]), action="update", data=values)
			importer = object.__new__(
				Importer
			)  # the importer's record writer; the file parsing is not the point
			importer.doctype = "Lead"
			importer.data_import = frappe._dict(doctype="Data Import", name="test")
			importer.update_record(frappe._dict({"name": leads[2].name, **values}))
		for lead in leads:
			self.assert_unchanged("Lead", lead.name, before[lead.name])

	def test_funnel_manager_cannot_point_a_funnel_at_another_board_or_claim_a_preset(self):
		"""Else the funnel's save would rewrite that board (filters, columns, public) and deleting
		the funnel would delete it."""
		from frappe.api.v1 import update_doc

		manager = make_user("funnel-owned-fm@example.test", "Funnel Manager", "Sales User")
		victim = ATTEMPTS["kanban_board"]
		columns = [c.column_name for c in frappe.get_doc("Kanban Board", victim).columns]
		funnel = make_funnel(
			stages=[
				{"stage_name": "A", "stage_type": "Open"},
				{"stage_name": "B", "stage_type": "Won"},
				{"stage_name": "C", "stage_type": "Lost"},
			]
		)
		before = frappe.db.get_value("Funnel", funnel.name, ["kanban_board", "preset"])
		with self.set_user(manager):
			rest(update_doc, "Funnel", funnel.name, data={"kanban_board": victim, "preset": "default/Sales"})
			frappe.client.set_value("Funnel", funnel.name, {"kanban_board": victim, "description": "x"})
		self.assertEqual(frappe.db.get_value("Funnel", funnel.name, ["kanban_board", "preset"]), before)
		self.assertNotEqual(before[0], victim)
		self.assertEqual([c.column_name for c in frappe.get_doc("Kanban Board", victim).columns], columns)
		with self.set_user(manager):
			created = frappe.client.insert(
				{
					"doctype": "Funnel",
					"funnel_name": unique("Copy"),
					"document_type": "Opportunity",
					"kanban_board": victim,
					"preset": "default/Sales",
					"stages": [
						{"stage_name": "A", "stage_type": "Open"},
						{"stage_name": "B", "stage_type": "Won"},
						{"stage_name": "C", "stage_type": "Lost"},
					],
				}
			)
		self.assertNotEqual(created["kanban_board"], victim)
		self.assertFalse(created["preset"])
		self.assertEqual([c.column_name for c in frappe.get_doc("Kanban Board", victim).columns], columns)

	# --- insert paths ----------------------------------------------------------------------

	def test_rest_post_and_client_insert_cannot_set_owned_fields(self):
		from frappe.api.v1 import create_doc

		company = frappe.defaults.get_defaults().get("company")
		with self.set_user(self.sales_user):
			party = make_lead().name
			values = {f: v for f, v in attempt("Opportunity").items() if f not in ("funnel", "funnel_stage")}
			deal = {"opportunity_from": "Lead", "party_name": party, "company": company, **values}
			created = [
				rest(create_doc, "Opportunity", data={**deal, "funnel": self.funnel}).name,
				frappe.client.insert({"doctype": "Opportunity", **deal, "funnel": self.funnel})["name"],
			]
			lead_values = {f: v for f, v in attempt("Lead").items() if f not in ("funnel", "funnel_stage")}
			created_leads = [
				rest(create_doc, "Lead", data={"first_name": unique("Forger"), **lead_values}).name,
				frappe.client.insert({"doctype": "Lead", "first_name": unique("Forger"), **lead_values})[
					"name"
				],
			]
		for name in created:
			row = frappe.db.get_value(
				"Opportunity", name, ["funnel_stage_since", "funnel_stale"], as_dict=True
			)
			self.assertLess(get_datetime(row.funnel_stage_since).year, 2099)  # the entry move set it: now
			self.assertFalse(row.funnel_stale)
			self.assertEqual(
				frappe.db.get_value(
					"Opportunity",
					name,
					["funnel_source_doctype", "funnel_source_name", "funnel_reanimated_on"],
				),
				(None, None, None),
			)
		for name in created_leads:
			row = frappe.db.get_value("Lead", name, list(lead_values), as_dict=True)
			self.assertEqual(
				{
					k: v or (0 if k in ("funnel_archived", "funnel_returning") else None)
					for k, v in row.items()
					if k != "funnel_stage_since"
				},
				{
					"funnel_stale": None,
					"funnel_source_doctype": None,
					"funnel_source_name": None,
					"funnel_archived": 0,
					"funnel_disqualification_reason": None,
					"funnel_disqualification_note": None,
					"funnel_external_id": None,
					"funnel_returning": 0,
					"funnel_phone_as_given": None,
					"funnel_channel": None,
				},
			)

	def test_smart_task_marker_on_todo_is_owned(self):
		with self.set_user(self.sales_user):
			todo = frappe.client.insert(
				{
					"doctype": "ToDo",
					"description": "my own task",
					"allocated_to": self.sales_user,
					"funnel": self.funnel,
					"funnel_stage": "Inquiry received",
				}
			)
		self.assertEqual(frappe.db.get_value("ToDo", todo["name"], ["funnel", "funnel_stage"]), (None, None))

	# --- the app's own writers -------------------------------------------------------------

	def test_a_move_still_sets_stage_since_and_clears_the_stale_mark(self):
		card = self.deal()
		card.db_set({"funnel_stage_since": "2020-01-01 00:00:00", "funnel_stale": "Stale"})
		frappe.share.add("Opportunity", card.name, self.sales_user, write=1)
		with self.set_user(self.sales_user):
			move_card("Opportunity", card.name, "Proposal sent")
		since, mark = frappe.db.get_value("Opportunity", card.name, ["funnel_stage_since", "funnel_stale"])
		self.assertEqual(getdate(since), getdate())
		self.assertFalse(mark)

	def test_disqualify_still_archives_and_qualify_still_links(self):
		group = frappe.db.get_value("Item Group", {"is_group": 0}, "name")
		with self.set_user(self.sales_user):
			lead = make_lead()
			disqualify_lead(lead.name, "No budget", note="only browsing", target_for=group)
			other = make_lead(company_name=unique("Owned Fields Co"))
			result = qualify_lead(other.name, self.funnel)
		self.assertEqual(
			frappe.db.get_value(
				"Lead",
				lead.name,
				["funnel_archived", "funnel_disqualification_reason", "funnel_disqualification_note"],
			),
			(1, "No budget", "only browsing"),
		)
		self.assertEqual(
			frappe.db.get_value(
				"Opportunity", result["opportunity"], ["funnel_source_doctype", "funnel_source_name"]
			),
			("Lead", other.name),
		)

	def test_intake_still_writes_external_id_phone_as_given_and_returning(self):
		external = unique("ext").replace(" ", "-")
		first = intake(
			person_name=unique("Caller"),
			email=f"{frappe.generate_hash(length=8)}@example.test",
			phone="12",
			external_id=external,
		)
		lead = first["name"]
		self.assertEqual(
			frappe.db.get_value("Lead", lead, ["funnel_external_id", "funnel_phone_as_given"]),
			(external, "12"),
		)
		email = f"{frappe.generate_hash(length=8)}@example.test"
		archived = make_lead(email_id=email)
		disqualify_lead(archived.name, "No budget")
		again = intake(person_name="Back again", email=email)
		self.assertEqual((again["status"], again["name"]), ("returning", archived.name))
		self.assertEqual(
			frappe.db.get_value("Lead", archived.name, ["funnel_archived", "funnel_returning"]), (0, 1)
		)

	def test_handoff_and_upsell_still_write_the_lineage(self):
		upsell = make_funnel(
			purpose="Upsell",
			stages=[
				{"stage_name": "Offer", "stage_type": "Open"},
				{"stage_name": "Upsold", "stage_type": "Won"},
				{"stage_name": "Declined", "stage_type": "Lost"},
			],
		).name
		production = make_funnel(
			stages=[
				{"stage_name": "Queued", "stage_type": "Open"},
				{"stage_name": "Scheduled", "stage_type": "Open"},
				{"stage_name": "Built", "stage_type": "Won"},
				{"stage_name": "Scrapped", "stage_type": "Lost"},
			]
		).name
		sale = make_funnel(
			handoffs=[
				{
					"trigger_stage": "Contract signed",
					"action": "Create",
					"target_funnel": production,
					"target_stage": "Scheduled",
				}
			]
		).name
		card = make_opportunity(funnel=sale)
		frappe.share.add("Opportunity", card.name, self.sales_user, write=1)
		with self.set_user(self.sales_user):
			move_card("Opportunity", card.name, "Contract signed")
			extra = make_upsell(card.name, upsell)
		linked = frappe.get_all(
			"Opportunity",
			filters={"funnel_source_doctype": "Opportunity", "funnel_source_name": card.name},
			fields=["name", "funnel", "funnel_stage"],
		)
		self.assertEqual(
			sorted((r.funnel, r.funnel_stage) for r in linked),
			sorted([(production, "Scheduled"), (upsell, "Offer")]),
		)
		self.assertIn(extra["name"] if isinstance(extra, dict) else extra, [r.name for r in linked])

	def test_app_writes_context_is_explicit_and_does_not_leak(self):
		lead = make_lead()
		with app_writes():
			frappe.client.set_value("Lead", lead.name, "funnel_external_id", "set-by-the-app")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "funnel_external_id"), "set-by-the-app")
		with self.assertRaises(ZeroDivisionError):
			with app_writes():
				1 / 0
		with self.set_user(self.sales_user):
			frappe.client.set_value("Lead", lead.name, "funnel_external_id", "by hand")
		self.assertEqual(frappe.db.get_value("Lead", lead.name, "funnel_external_id"), "set-by-the-app")


class TestAppDocumentsAreWrittenByTheAppOnly(FunnelTestCase):
	"""The app's own tables: nobody writes them through the document paths, not even an
	Administrator (who passes every permission check) or a role someone granted write to."""

	# written only by SQL: their controllers refuse every document save
	SQL_ONLY = (
		"Funnel Transition",
		"Funnel Card State",
		"Funnel Summary",
		"Funnel Velocity Bucket",
		"Funnel Forecast Total",
	)

	def tables(self) -> list[str]:
		return [d for d, f in OWNED_FIELDS.items() if f == WHOLE_DOCUMENT] + list(self.SQL_ONLY)

	def test_insert_and_update_refused_for_every_role(self):
		users = [
			make_user("funnel-owned-sales@example.test", "Sales User"),
			make_user("funnel-owned-manager@example.test", "Sales User", "Sales Manager", "Funnel Manager"),
			make_user(
				"funnel-owned-sysman@example.test", "System Manager", "Funnel Reviewer", "Funnel Manager"
			),
			"Administrator",
		]
		self.assertTrue({"Planned Contact", "Cadence Enrollment", "Funnel Contact Key"} <= set(self.tables()))
		make_lead(email_id=f"{frappe.generate_hash(length=8)}@example.test")  # a contact key row at least
		for doctype in self.tables():
			# a row of a funnel that still exists: tests that commit may leave rows of a funnel they
			# deleted by SQL, and a dangling link fails the host's link check before the refusal
			filters = (
				{"funnel": ("in", frappe.get_all("Funnel", pluck="name") or [""])}
				if frappe.get_meta(doctype).has_field("funnel")
				else {}
			)
			existing = frappe.get_all(
				doctype, filters=filters, pluck="name", limit=1, order_by="creation desc"
			)
			for user in users:
				with self.subTest(doctype=doctype, user=user), self.set_user(user):
					with self.assertRaises(frappe.PermissionError):
						frappe.client.insert({"doctype": doctype})
					if existing:
						doc = frappe.get_doc(doctype, existing[0]).as_dict()
						copy = {k: v for k, v in doc.items() if k not in ("name", "creation", "modified")}
						with self.assertRaises(frappe.PermissionError):
							frappe.client.insert(copy)
						with self.assertRaises(frappe.PermissionError):
							frappe.client.save({**doc, "modified": str(doc.modified)})

	def test_a_role_granted_write_is_still_refused(self):
		"""A System Manager gives Sales Manager write on Planned Contact in Role Permissions: the
		table is still the app's."""
		from frappe.permissions import add_permission, reset_perms, update_permission_property

		self.addCleanup(reset_perms, "Lead Source Alarm")
		add_permission("Lead Source Alarm", "Sales Manager", 0)
		for ptype in ("write", "create"):
			update_permission_property("Lead Source Alarm", "Sales Manager", 0, ptype, 1)
		user = make_user("funnel-owned-granted@example.test", "Sales User", "Sales Manager")
		with self.set_user(user):
			self.assertTrue(frappe.has_permission("Lead Source Alarm", "create"))
			with self.assertRaises(frappe.PermissionError) as err:
				frappe.client.insert({"doctype": "Lead Source Alarm", "source": ensure_lead_source()})
		self.assertIn("written by the app", str(err.exception))


class TestFunnelChangeEntersAtTheEntryStage(FunnelTestCase):
	"""Item 9: one PUT must not carry a card into another funnel's Won stage."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.main = make_funnel().name
		cls.other = make_funnel(
			stages=[
				{"stage_name": "Received", "stage_type": "Open"},
				{"stage_name": "Priced", "stage_type": "Open", "required_fields": "opportunity_amount"},
				{"stage_name": "Closed won", "stage_type": "Won"},
				{"stage_name": "Closed lost", "stage_type": "Lost"},
			]
		).name
		cls.sales_user = make_user("funnel-entry-sales@example.test", "Sales User")
		cls.funnel_manager = make_user("funnel-entry-manager@example.test", "Sales User", "Funnel Manager")

	def card(self):
		card = make_opportunity(funnel=self.main)
		for user in (self.sales_user, self.funnel_manager):
			frappe.share.add("Opportunity", card.name, user, write=1)
		return card

	def test_sales_user_cannot_put_a_card_into_another_funnels_won_stage(self):
		from frappe.api.v1 import update_doc

		card = self.card()
		with self.set_user(self.sales_user):
			with self.assertRaises(StageRoleError) as err:
				rest(
					update_doc,
					"Opportunity",
					card.name,
					data={"funnel": self.other, "funnel_stage": "Closed won"},
				)
			self.assertIn("Received", str(err.exception))
			with self.assertRaises(StageRoleError):
				move_card("Opportunity", card.name, "Closed won", funnel=self.other)
			with self.assertRaises(StageRoleError):
				frappe.client.set_value(
					"Opportunity", card.name, {"funnel": self.other, "funnel_stage": "Closed won"}
				)
		self.assertEqual(
			frappe.db.get_value("Opportunity", card.name, ["funnel", "funnel_stage"]),
			(self.main, "Inquiry received"),
		)

	def test_sales_user_may_change_funnel_into_the_entry_stage(self):
		from frappe.api.v1 import update_doc

		card, named = self.card(), self.card()
		with self.set_user(self.sales_user):
			rest(update_doc, "Opportunity", card.name, data={"funnel": self.other})
			move_card("Opportunity", named.name, "received", funnel=self.other)
		for name in (card.name, named.name):
			self.assertEqual(
				frappe.db.get_value("Opportunity", name, ["funnel", "funnel_stage"]), (self.other, "Received")
			)
			self.assertEqual(transitions("Opportunity", name)[-1].from_funnel, self.main)

	def test_funnel_manager_may_enter_another_stage_but_its_required_fields_apply(self):
		card = self.card()
		with self.set_user(self.funnel_manager):
			with self.assertRaises(StageFieldsMissingError):
				move_card("Opportunity", card.name, "Priced", funnel=self.other)
			frappe.db.set_value("Opportunity", card.name, "opportunity_amount", 500)
			result = move_card("Opportunity", card.name, "Priced", funnel=self.other)
		self.assertEqual((result["funnel"], result["to_stage"]), (self.other, "Priced"))

	def test_a_handoff_may_name_a_later_stage_for_a_sales_user(self):
		target = make_funnel(
			stages=[
				{"stage_name": "Queued", "stage_type": "Open"},
				{"stage_name": "Scheduled", "stage_type": "Open", "allowed_roles": "Sales Manager"},
				{"stage_name": "Built", "stage_type": "Won"},
				{"stage_name": "Scrapped", "stage_type": "Lost"},
			]
		).name
		sale = make_funnel(
			handoffs=[
				{
					"trigger_stage": "Contract signed",
					"action": "Move",
					"target_funnel": target,
					"target_stage": "Scheduled",
				}
			]
		).name
		card = make_opportunity(funnel=sale)
		frappe.share.add("Opportunity", card.name, self.sales_user, write=1)
		with self.set_user(self.sales_user):
			result = move_card("Opportunity", card.name, "Contract signed")
		self.assertEqual((result["funnel"], result["to_stage"]), (target, "Scheduled"))
