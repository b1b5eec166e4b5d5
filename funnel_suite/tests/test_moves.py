"""Every way a card moves obeys the same rules and writes the same log."""

import json

import frappe
from frappe.utils import add_to_date, get_datetime, now_datetime

from funnel_suite.api import get_card_state, move_card
from funnel_suite.funnels.board import sync_stage_options
from funnel_suite.funnels.card import StageFieldsMissingError, StageMoveError, StageRoleError, default_funnel
from funnel_suite.tests.utils import (
	FunnelTestCase,
	count_queries,
	ensure_lead_source,
	ensure_lost_reason,
	make_funnel,
	make_lead,
	make_opportunity,
	make_user,
	remove_committed_funnel,
	transitions,
)

RULED_STAGES = [
	{"stage_name": "Inquiry received", "stage_type": "Open"},
	{
		"stage_name": "Need identified",
		"stage_type": "Open",
		"required_fields": "contact_email\nopportunity_amount",
	},
	{
		"stage_name": "Proposal sent",
		"stage_type": "Open",
		"allowed_next": "Contract signed\nDeal lost\nNeed identified",
	},
	{"stage_name": "Contract signed", "stage_type": "Won", "allowed_roles": "Sales Manager"},
	{"stage_name": "Deal lost", "stage_type": "Lost"},
]


class TestMoves(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.funnel = make_funnel(stages=RULED_STAGES).name
		cls.sales_user = make_user("funnel-mover@example.test", "Sales User")
		cls.sales_manager = make_user("funnel-boss@example.test", "Sales User", "Sales Manager")

	def card(self, stage="Inquiry received", **values):
		return make_opportunity(funnel=self.funnel, funnel_stage=stage, **values)

	# --- placement ---------------------------------------------------------------------------

	def test_new_card_gets_default_funnel_entry_stage_and_an_entry_row(self):
		lead = make_lead()
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		self.assertEqual(lead.funnel, funnel.name)
		self.assertEqual(lead.funnel_stage, funnel.stages[0].stage_name)
		self.assertTrue(lead.funnel_stage_since)
		rows = transitions("Lead", lead.name)
		self.assertEqual(len(rows), 1)
		self.assertEqual((rows[0].from_stage, rows[0].to_stage), (None, funnel.stages[0].stage_name))

	def test_new_card_in_a_named_stage_is_checked(self):
		with self.assertRaises(StageFieldsMissingError):
			self.card("Need identified")
		card = self.card("Need identified", contact_email="buyer@example.test", opportunity_amount=100)
		self.assertEqual(card.funnel_stage, "Need identified")

	def test_new_card_in_a_named_funnel_starts_at_its_entry_stage(self):
		other = make_funnel(stages=[{"stage_name": "Offer made", "stage_type": "Open"}, *RULED_STAGES[3:]])
		card = make_opportunity(funnel=other.name)
		self.assertEqual(card.funnel_stage, "Offer made")

	def test_card_of_wrong_doctype_funnel_is_refused(self):
		lead_funnel = default_funnel("Lead")
		with self.assertRaises(StageMoveError) as ctx:
			make_opportunity(funnel=lead_funnel)
		self.assertIn("Lead", str(ctx.exception))

	# --- move_card ---------------------------------------------------------------------------

	def test_move_card_returns_the_move_and_logs_it(self):
		card = self.card(contact_email="buyer@example.test", opportunity_amount=10)
		result = move_card("Opportunity", card.name, "need identified", comment="Needs a quote for 10 units")
		self.assertEqual(
			(result["funnel"], result["from_stage"], result["to_stage"], result["moved"]),
			(self.funnel, "Inquiry received", "Need identified", True),
		)
		self.assertTrue(result["moved_on"])
		rows = transitions("Opportunity", card.name)
		self.assertEqual(
			[(r.from_stage, r.to_stage) for r in rows],
			[(None, "Inquiry received"), ("Inquiry received", "Need identified")],
		)
		self.assertEqual(rows[-1].comment, "Needs a quote for 10 units")
		self.assertEqual(rows[-1].moved_by, "Administrator")

	def test_entering_a_stage_sets_the_opportunity_probability(self):
		funnel = make_funnel()  # Inquiry received 10, Proposal sent 50, Contract signed 100, Deal lost (0)
		card = make_opportunity(funnel=funnel.name)
		self.assertEqual(card.probability, 10)
		move_card("Opportunity", card.name, "Proposal sent")
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "probability"), 50)
		move_card("Opportunity", card.name, "Deal lost", lost_reasons=[ensure_lost_reason()])
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "probability"), 0)

	def test_move_to_current_stage_is_a_noop(self):
		card = self.card()
		result = move_card("Opportunity", card.name, "Inquiry received")
		self.assertFalse(result["moved"])
		self.assertEqual(len(transitions("Opportunity", card.name)), 1)

	def test_unknown_stage_names_the_allowed_ones(self):
		card = self.card("Proposal sent")
		with self.assertRaises(StageMoveError) as ctx:
			move_card("Opportunity", card.name, "Thinking about it")
		message = str(ctx.exception)
		self.assertIn("Thinking about it", message)
		for allowed in ("Contract signed", "Deal lost", "Need identified"):
			self.assertIn(allowed, message)

	def test_move_not_allowed_from_current_stage(self):
		card = self.card("Proposal sent")
		with self.assertRaises(StageMoveError) as ctx:
			move_card("Opportunity", card.name, "Inquiry received")
		self.assertIn("cannot move to", str(ctx.exception))
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stage"), "Proposal sent")

	def test_backward_move_is_allowed_by_default(self):
		card = self.card(contact_email="buyer@example.test", opportunity_amount=5)
		move_card("Opportunity", card.name, "Need identified")
		move_card("Opportunity", card.name, "Inquiry received")
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stage"), "Inquiry received")

	def test_missing_fields_are_all_listed_by_label(self):
		card = self.card()
		with self.assertRaises(StageFieldsMissingError) as ctx:
			move_card("Opportunity", card.name, "Need identified")
		message = str(ctx.exception)
		meta = frappe.get_meta("Opportunity")
		self.assertIn(meta.get_label("contact_email"), message)
		self.assertIn(meta.get_label("opportunity_amount"), message)
		self.assertEqual(len(transitions("Opportunity", card.name)), 1, "nothing half-written")

	def test_role_refusal_is_a_permission_error_naming_the_stage(self):
		card = self.card("Proposal sent")
		card.db_set("opportunity_owner", None)
		frappe.share.add("Opportunity", card.name, self.sales_user, write=1)
		with self.set_user(self.sales_user):
			with self.assertRaises(frappe.PermissionError) as ctx:
				move_card("Opportunity", card.name, "Contract signed")
			self.assertIsInstance(ctx.exception, StageRoleError)
			self.assertIn("Contract signed", str(ctx.exception))
		with self.set_user(self.sales_manager):
			self.assertTrue(move_card("Opportunity", card.name, "Contract signed")["moved"])

	def test_user_without_write_permission_cannot_move(self):
		card = self.card()
		reader = make_user("funnel-reader@example.test", "Accounts User")
		with self.set_user(reader):
			with self.assertRaises(frappe.PermissionError):
				move_card("Opportunity", card.name, "Proposal sent")

	def test_disabled_funnel_refuses_moves(self):
		funnel = make_funnel()
		card = make_opportunity(funnel=funnel.name)
		funnel.enabled = 0
		funnel.save()
		with self.assertRaises(StageMoveError) as ctx:
			move_card("Opportunity", card.name, "Proposal sent")
		self.assertIn("disabled", str(ctx.exception))

	def test_move_card_refuses_non_card_doctypes_and_empty_stage(self):
		with self.assertRaises(frappe.ValidationError):
			move_card("Customer", "x", "Won")
		card = self.card()
		with self.assertRaises(frappe.ValidationError):
			move_card("Opportunity", card.name, "   ")

	# --- other paths -------------------------------------------------------------------------

	def test_form_save_path_enforces_the_same_rules(self):
		card = self.card("Proposal sent")
		card.funnel_stage = "Inquiry received"
		with self.assertRaises(StageMoveError):
			card.save()
		card.reload()
		card.funnel_stage = "Contract signed"
		card.save()
		self.assertEqual(transitions("Opportunity", card.name)[-1].to_stage, "Contract signed")

	def test_rest_put_path_enforces_the_same_rules(self):
		from frappe.api.v1 import update_doc

		card = self.card("Proposal sent")
		frappe.local.form_dict = frappe._dict(data=json.dumps({"funnel_stage": "Inquiry received"}))
		with self.assertRaises(StageMoveError):
			update_doc("Opportunity", card.name)
		frappe.share.add("Opportunity", card.name, self.sales_user, write=1)
		with self.set_user(self.sales_user):
			frappe.local.form_dict = frappe._dict(data=json.dumps({"funnel_stage": "Contract signed"}))
			with self.assertRaises(StageRoleError):
				update_doc("Opportunity", card.name)
		frappe.local.form_dict = frappe._dict(data=json.dumps({"funnel_stage": "Contract signed"}))
		update_doc("Opportunity", card.name)
		self.assertEqual(transitions("Opportunity", card.name)[-1].to_stage, "Contract signed")
		frappe.local.form_dict = frappe._dict()

	def test_kanban_drag_path_enforces_the_same_rules(self):
		from frappe.desk.doctype.kanban_board.kanban_board import update_order_for_single_card

		card = self.card("Proposal sent")
		board = frappe.db.get_value("Funnel", self.funnel, "kanban_board")
		with self.assertRaises(StageMoveError):
			update_order_for_single_card(board, card.name, "Proposal sent", "Inquiry received", 0, 0)
		update_order_for_single_card(board, card.name, "Proposal sent", "Contract signed", 0, 0)
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "funnel_stage"), "Contract signed")
		self.assertEqual(transitions("Opportunity", card.name)[-1].from_stage, "Proposal sent")

	def test_changing_funnel_goes_to_entry_stage_and_logs_both_funnels(self):
		other = make_funnel()
		card = self.card("Proposal sent")
		card.funnel = other.name
		card.save()
		self.assertEqual(card.funnel_stage, "Inquiry received")
		last = transitions("Opportunity", card.name)[-1]
		self.assertEqual(
			(last.from_funnel, last.funnel, last.from_stage, last.to_stage),
			(self.funnel, other.name, "Proposal sent", "Inquiry received"),
		)
		result = move_card("Opportunity", card.name, "Contract signed", funnel=self.funnel)
		self.assertEqual((result["funnel"], result["to_stage"]), (self.funnel, "Contract signed"))

	def test_card_cannot_leave_its_funnel(self):
		card = self.card()
		card.funnel = None
		with self.assertRaises(StageMoveError):
			card.save()

	def test_time_in_previous_stage_is_logged(self):
		card = self.card("Proposal sent")
		earlier = add_to_date(now_datetime(), hours=-3)
		card.db_set("funnel_stage_since", earlier, update_modified=False)
		card.reload()
		move_card("Opportunity", card.name, "Contract signed")
		seconds = transitions("Opportunity", card.name)[-1].seconds_in_from_stage
		self.assertGreaterEqual(seconds, 3 * 3600)
		self.assertLess(seconds, 3 * 3600 + 600)
		self.assertGreater(
			get_datetime(frappe.db.get_value("Opportunity", card.name, "funnel_stage_since")), earlier
		)

	def test_card_state_for_the_stage_bar(self):
		card = self.card("Proposal sent")
		move_card("Opportunity", card.name, "Contract signed", comment="price")
		state = get_card_state("Opportunity", card.name)
		self.assertEqual(state["stage"], "Contract signed")
		self.assertEqual([s["name"] for s in state["stages"]], [s["stage_name"] for s in RULED_STAGES])
		self.assertEqual([s["name"] for s in state["stages"] if s["current"]], ["Contract signed"])
		self.assertNotIn("Contract signed", state["allowed_next"])
		self.assertEqual([h.to_stage for h in state["history"]], ["Contract signed", "Proposal sent"])
		self.assertEqual(state["history"][0].comment, "price")

	def test_log_query_count_does_not_grow_with_history(self):
		def move_queries(card, stage):
			return count_queries(lambda: move_card("Opportunity", card.name, stage))

		short = self.card("Proposal sent")
		long = self.card("Proposal sent")
		for _ in range(30):
			move_card("Opportunity", long.name, "Contract signed")
			move_card("Opportunity", long.name, "Proposal sent")
		move_queries(short, "Contract signed")  # warm caches once
		move_card("Opportunity", short.name, "Proposal sent")
		self.assertEqual(move_queries(short, "Contract signed"), move_queries(long, "Contract signed"))
		with self.assertQueryCount(move_queries(short, "Proposal sent")):
			move_card("Opportunity", long.name, "Proposal sent")


class TestDataImport(FunnelTestCase):
	"""Data Import commits per row, so this class cleans up after itself."""

	def setUp(self):
		self.source = ensure_lead_source()
		frappe.db.commit()
		self.created = []
		self.created_funnels = []

	def tearDown(self):
		leads = frappe.get_all("Lead", filters={"email_id": ("like", "%@import.funnel.test")}, pluck="name")
		if leads:
			for table in ("Funnel Transition", "Funnel Contact Key", "Funnel Card State"):
				frappe.db.delete(table, {"reference_doctype": "Lead", "reference_name": ("in", leads)})
			frappe.db.delete("Lead", {"name": ("in", leads)})
		for name in self.created:
			frappe.db.delete("Data Import Log", {"data_import": name})
			frappe.db.delete("Data Import", {"name": name})
		frappe.db.delete("File", {"file_name": ("like", "funnel-import-%")})
		for name in self.created_funnels:
			remove_committed_funnel(name)  # with the analytics rows of the imported leads' moves
		sync_stage_options("Lead")
		frappe.db.commit()

	def run_import(self, rows: list[list[str]]):
		content = "\n".join(
			",".join(row) for row in [["First Name", "Email", "Source", "Funnel Stage", "Need"], *rows]
		)
		file = frappe.get_doc(
			doctype="File",
			file_name=f"funnel-import-{frappe.generate_hash(length=6)}.csv",
			content=content,
			is_private=1,
		).insert(ignore_permissions=True)
		data_import = frappe.get_doc(
			{
				"doctype": "Data Import",
				"import_type": "Insert New Records",
				"reference_doctype": "Lead",
				"import_file": file.file_url,
			}
		).insert()
		frappe.db.commit()
		self.created.append(data_import.name)
		data_import.start_import()
		data_import.reload()
		self.assertNotEqual(data_import.status, "Pending", data_import.template_warnings)
		return frappe.get_all(
			"Data Import Log",
			fields=["success", "messages", "docname"],
			filters={"data_import": data_import.name},
			order_by="log_index",
		)

	def test_import_goes_through_the_same_rules(self):
		funnel = frappe.get_doc("Funnel", default_funnel("Lead"))
		entry, second, won = (s.stage_name for s in funnel.stages[:3])
		required = funnel.stages[1].required_fields
		# a stage of another Lead funnel: a valid Select option, but not a stage of the default funnel
		other = make_funnel(
			"Lead",
			stages=[
				{"stage_name": "Offer accepted", "stage_type": "Open"},
				{"stage_name": "Won", "stage_type": "Won"},
				{"stage_name": "Lost", "stage_type": "Lost"},
			],
		)
		frappe.db.commit()
		self.created_funnels.append(other.name)
		logs = self.run_import(
			[
				["Ann", "ann@import.funnel.test", "", "", ""],
				["Bob", "bob@import.funnel.test", self.source, second, "A new roof"],
				["Cid", "cid@import.funnel.test", "", "Offer accepted", ""],
			]
		)
		self.assertEqual([bool(log.success) for log in logs], [True, True, False])
		self.assertIn("Offer accepted", logs[2].messages)
		self.assertIn("is not a stage of funnel", logs[2].messages)
		ann = frappe.get_doc("Lead", logs[0].docname)
		self.assertEqual((ann.funnel, ann.funnel_stage), (funnel.name, entry))
		self.assertEqual(len(transitions("Lead", ann.name)), 1)
		self.assertEqual(frappe.db.get_value("Lead", logs[1].docname, "funnel_stage"), second)
		self.assertFalse(frappe.db.exists("Lead", {"email_id": "cid@import.funnel.test"}))
		if required:
			logs = self.run_import([["Dan", "dan@import.funnel.test", "", second, ""]])
			self.assertFalse(logs[0].success)
			self.assertIn(frappe.get_meta("Lead").get_label(required.split("\n")[0]), logs[0].messages)
		self.assertTrue(won)

	def test_import_reports_known_people_as_duplicates(self):
		first = self.run_import([["Eve", "eve@import.funnel.test", "", "", ""]])
		self.assertTrue(first[0].success)
		again = self.run_import(
			[
				["Eve Again", "EVE@import.funnel.test", "", "", ""],
				["Fay", "fay@import.funnel.test", "", "", ""],
			]
		)
		self.assertEqual([bool(log.success) for log in again], [False, True])
		self.assertIn("Duplicate", again[0].messages)
		self.assertIn(first[0].docname, again[0].messages)
		self.assertEqual(frappe.db.count("Lead", {"email_id": "eve@import.funnel.test"}), 1)


SMART_STAGES = [
	{"stage_name": "First call", "stage_type": "Open", "next_action": "Call the buyer"},
	{"stage_name": "Second call", "stage_type": "Open", "next_action": "Call again"},
	{"stage_name": "Handed over", "stage_type": "Open", "next_action": "Take over"},
	{"stage_name": "Signed", "stage_type": "Won"},
	{"stage_name": "Dropped", "stage_type": "Lost"},
]


class TestMoveQueryCount(FunnelTestCase):
	"""What a move adds to a plain save of the same card, counted in SQL statements."""

	# the move log row, closing the smart task left, the new stage's ToDo, the read of the card's
	# `_assign` with its open ToDos, the summary upsert, Funnel Forecast's running-totals upsert, the
	# current-stage upsert, the read of the card's active cadence enrollments, the velocity histogram
	# upsert (a stage was left)
	MOVE_EXTRA = 9

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.colleague = make_user("funnel-colleague@example.test", "Sales User")
		stages = [dict(s) for s in SMART_STAGES]
		stages[2]["next_action_assign_to"] = cls.colleague
		cls.funnel = make_funnel(stages=stages).name

	def card(self):
		return make_opportunity(funnel=self.funnel)

	def save_queries(self, card):
		"""Load the card, change its title, save it (move_card loads and saves the same way)."""

		def save():
			doc = frappe.get_doc("Opportunity", card.name)
			doc.title = f"{doc.title or doc.name} +"
			doc.save()

		return count_queries(save)

	def open_smart_tasks(self, card):
		return frappe.get_all(
			"ToDo",
			filters={"reference_type": "Opportunity", "reference_name": card.name, "status": "Open"},
			fields=["funnel_stage", "allocated_to"],
		)

	def test_a_move_costs_a_fixed_number_of_queries_over_a_plain_save(self):
		card = self.card()
		move_card("Opportunity", card.name, "Second call")  # warm caches
		move_card("Opportunity", card.name, "First call")
		save = self.save_queries(card)
		move = count_queries(lambda: move_card("Opportunity", card.name, "Second call"))
		self.assertEqual(move - save, self.MOVE_EXTRA)
		# the same owner is assigned before and after: `_assign` is not rewritten, yet it is right
		[task] = self.open_smart_tasks(card)
		self.assertEqual(task.funnel_stage, "Second call")
		assign = json.loads(frappe.db.get_value("Opportunity", card.name, "_assign"))
		self.assertEqual(assign, [task.allocated_to])

	def test_a_move_that_changes_the_assignee_rewrites_assign(self):
		card = self.card()
		move_card("Opportunity", card.name, "Second call")
		save = self.save_queries(card)
		# the task goes to the stage's user only if they may read the card: the host's permission
		# check, whose user permissions and roles the host caches per user (warm on a live site)
		frappe.has_permission("Opportunity", "read", card, user=self.colleague)
		move = count_queries(lambda: move_card("Opportunity", card.name, "Handed over"))
		self.assertEqual(move - save, self.MOVE_EXTRA + 1)  # plus the card's new `_assign`
		[task] = self.open_smart_tasks(card)
		self.assertEqual((task.funnel_stage, task.allocated_to), ("Handed over", self.colleague))
		self.assertEqual(
			json.loads(frappe.db.get_value("Opportunity", card.name, "_assign")), [self.colleague]
		)
		move_card("Opportunity", card.name, "Signed")  # a stage without a next action
		self.assertEqual(self.open_smart_tasks(card), [])
		self.assertEqual(frappe.db.get_value("Opportunity", card.name, "_assign") or "", "")
