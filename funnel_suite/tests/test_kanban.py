"""Each funnel has one host Kanban Board whose columns follow its stages."""

import json

import frappe

from funnel_suite.tests.utils import FunnelTestCase, make_funnel, make_opportunity


def columns(board: str) -> list[tuple[str, str, str]]:
	doc = frappe.get_doc("Kanban Board", board)
	return [(c.column_name, c.status, c.indicator) for c in doc.columns]


class TestKanbanBoard(FunnelTestCase):
	def test_board_is_created_with_filter_and_columns_in_stage_order(self):
		funnel = make_funnel()
		board = frappe.get_doc("Kanban Board", funnel.kanban_board)
		self.assertEqual(board.reference_doctype, "Opportunity")
		self.assertEqual(board.field_name, "funnel_stage")
		self.assertEqual(json.loads(board.filters), [["Opportunity", "funnel", "=", funnel.name, False]])
		self.assertEqual(
			columns(board.name),
			[
				("Inquiry received", "Active", "Blue"),
				("Proposal sent", "Active", "Blue"),
				("Contract signed", "Active", "Green"),
				("Deal lost", "Active", "Red"),
			],
		)

	def test_columns_follow_added_reordered_and_removed_stages(self):
		funnel = make_funnel()
		funnel.append("stages", {"stage_name": "Invoice issued", "stage_type": "Open", "indicator": "Orange"})
		funnel.stages = [funnel.stages[0], funnel.stages[4], funnel.stages[2], funnel.stages[3]]
		for idx, row in enumerate(funnel.stages, start=1):
			row.idx = idx
		funnel.save()
		self.assertEqual(
			columns(funnel.kanban_board),
			[
				("Inquiry received", "Active", "Blue"),
				("Invoice issued", "Active", "Orange"),
				("Contract signed", "Active", "Green"),
				("Deal lost", "Active", "Red"),
				("Proposal sent", "Archived", "Blue"),
			],
		)
		# a stage that comes back re-activates its archived column instead of adding a second one
		funnel.append("stages", {"stage_name": "Proposal sent", "stage_type": "Open"})
		funnel.save()
		names = [c[0] for c in columns(funnel.kanban_board)]
		self.assertEqual(names.count("Proposal sent"), 1)
		self.assertEqual(columns(funnel.kanban_board)[-1], ("Proposal sent", "Active", "Blue"))

	def test_board_name_never_takes_over_a_users_board(self):
		name = f"Board {frappe.generate_hash(length=6)}"
		frappe.get_doc(
			{
				"doctype": "Kanban Board",
				"kanban_board_name": name,
				"reference_doctype": "Opportunity",
				"field_name": "status",
				"columns": [{"column_name": "Open"}],
			}
		).insert()
		funnel = make_funnel(name=name)
		self.assertNotEqual(funnel.kanban_board, name)
		self.assertEqual(frappe.db.get_value("Kanban Board", name, "field_name"), "status")

	def test_board_lists_only_the_funnels_cards(self):
		funnel = make_funnel()
		mine = make_opportunity(funnel=funnel.name)
		make_opportunity()  # default funnel
		board = frappe.get_doc("Kanban Board", funnel.kanban_board)
		names = [
			row.name
			for row in frappe.get_list(
				"Opportunity", filters=[f[:4] for f in json.loads(board.filters)], fields=["name"]
			)
		]
		self.assertEqual(names, [mine.name])
