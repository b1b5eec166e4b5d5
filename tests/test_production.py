"""Production orders in the pure engine: works holding a stage, what is left to issue, shortages."""

from funnel_suite.engine import Funnel, Stage
from funnel_suite.engine.production import (
	Material,
	Shortage,
	Work,
	issued_by_row,
	open_works,
	shortages,
	to_issue,
	unknown_work_stages,
	works_blocking,
)

FUNNEL = Funnel(
	"Production",
	(
		Stage("Order accepted"),
		Stage("Materials issued"),
		Stage("Cutting done"),
		Stage("Delivered", "Won"),
		Stage("Cancelled", "Lost"),
	),
	strict_sequence=True,
)
WORKS = [
	Work("w1", "Materials issued", "Cut panels", "ann@x.test", "Done"),
	Work("w2", "materials  issued", "Cut doors", "bob@x.test", "In Progress"),
	Work("w3", "Cutting done", "Assemble", "ann@x.test", "Pending"),
	Work("w4", "", "Clean up", "", "Pending"),
]


def test_open_works_of_a_stage_match_its_name_loosely():
	assert [w.row for w in open_works(WORKS, "Materials issued")] == ["w2"]
	assert [w.row for w in open_works(WORKS, "cutting done")] == ["w3"]
	assert open_works(WORKS, "") == []
	assert open_works(WORKS, None) == []


def test_only_a_forward_move_is_held_by_open_works():
	assert [w.row for w in works_blocking(FUNNEL, "Materials issued", "Cutting done", WORKS)] == ["w2"]
	assert works_blocking(FUNNEL, "Materials issued", "Order accepted", WORKS) == []
	assert works_blocking(FUNNEL, "Materials issued", "Cancelled", WORKS) == []
	assert works_blocking(FUNNEL, None, "Materials issued", WORKS) == []
	done = [Work("w", "Materials issued", status="Done")]
	assert works_blocking(FUNNEL, "Materials issued", "Cutting done", done) == []


def test_works_naming_an_unknown_stage_are_found():
	works = [*WORKS, Work("w5", "Painting done")]
	assert [w.row for w in unknown_work_stages(FUNNEL, works)] == ["w5"]


def test_what_is_left_to_issue():
	rows = [
		Material("m1", "BOARD", "Stores", 10, 4),
		Material("m2", "SCREW", "Stores", 100, 100),
		Material("m3", "GLUE", "Stores", 1, 1.5),
	]
	assert [(m.row, m.to_issue) for m in to_issue(rows)] == [("m1", 6.0)]


def test_shortages_add_up_rows_of_the_same_item_and_warehouse():
	rows = [
		Material("m1", "BOARD", "Stores", 10, 4),
		Material("m2", "BOARD", "Stores", 5),
		Material("m3", "BOARD", "Yard", 5),
		Material("m4", "SCREW", "Stores", 100),
	]
	available = {("BOARD", "Stores"): 10, ("BOARD", "Yard"): 5, ("SCREW", "Stores"): 99.5}
	assert shortages(rows, available) == [
		Shortage("BOARD", "Stores", 11.0, 10.0),
		Shortage("SCREW", "Stores", 100.0, 99.5),
	]
	assert shortages(rows, {("BOARD", "Stores"): 11, ("BOARD", "Yard"): 5, ("SCREW", "Stores"): 100}) == []
	assert shortages(rows, {})[0] == Shortage("BOARD", "Stores", 11.0, 0.0)


def test_issued_quantities_count_submitted_lines_only():
	lines = [("m1", 4, 1), ("m1", 2, 1), ("m1", 3, 0), ("m2", 5, 0), (None, 9, 1)]
	assert issued_by_row(lines) == {"m1": 6.0, "m2": 0.0}


def test_days_late():
	from datetime import date

	from funnel_suite.engine.production import days_late

	assert days_late(date(2026, 1, 1), date(2026, 1, 4)) == 3
	assert days_late(date(2026, 1, 5), date(2026, 1, 4)) == 0
	assert days_late(None, date(2026, 1, 4)) == 0


def test_orders_late_first_then_by_due_date_then_stage():
	from datetime import date

	from funnel_suite.engine.production import orders_late_first

	today = date(2026, 3, 10)
	orders = [
		{"name": "A", "due_date": date(2026, 3, 20), "funnel_stage": "Cutting done"},
		{"name": "B", "due_date": date(2026, 3, 1), "funnel_stage": "Order accepted"},
		{"name": "C", "due_date": None, "funnel_stage": "Order accepted"},
		{"name": "D", "due_date": date(2026, 3, 8), "funnel_stage": "Cutting done"},
		{"name": "E", "due_date": date(2026, 3, 20), "funnel_stage": "order accepted"},
	]
	positions = {"order accepted": 0, "cutting done": 1}
	assert [o["name"] for o in orders_late_first(orders, positions, today)] == ["B", "D", "E", "A", "C"]


def test_executor_load_counts_open_works_and_hours():
	from datetime import date

	from funnel_suite.engine.production import executor_load

	today = date(2026, 3, 10)
	works = [
		{
			"executor": "ann",
			"status": "Pending",
			"planned_hours": 2,
			"actual_hours": 0,
			"due_date": date(2026, 3, 1),
		},
		{
			"executor": "ann",
			"status": "In Progress",
			"planned_hours": 3,
			"actual_hours": 1.5,
			"due_date": None,
		},
		{"executor": "ann", "status": "Done", "planned_hours": 9, "actual_hours": 9},
		{"executor": "", "status": "Pending", "planned_hours": 1},
		{"executor": "bob", "status": "Pending", "planned_hours": None, "due_date": date(2026, 3, 11)},
	]
	got = [
		(x.executor, x.open_works, x.planned_hours, x.actual_hours, x.late_works)
		for x in executor_load(works, today)
	]
	assert got == [("ann", 2, 5.0, 1.5, 1), ("", 1, 1.0, 0.0, 0), ("bob", 1, 0.0, 0.0, 0)]


def test_consumption_per_order_and_item():
	from funnel_suite.engine.production import consumption

	rows = [
		{"parent": "P1", "item_code": "BOARD", "qty": 10, "issued_qty": 4},
		{"parent": "P1", "item_code": "BOARD", "qty": 2, "issued_qty": 2},
		{"parent": "P1", "item_code": "GLUE", "qty": 0, "issued_qty": 0},
		{"parent": "P2", "item_code": "BOARD", "qty": 5, "issued_qty": 6},
	]
	got = [
		(c.order, c.item_code, c.planned_qty, c.issued_qty, c.left_qty, c.issued_percent)
		for c in consumption(rows)
	]
	assert got == [
		("P1", "BOARD", 12.0, 6.0, 6.0, 50.0),
		("P1", "GLUE", 0.0, 0.0, 0.0, 0.0),
		("P2", "BOARD", 5.0, 6.0, -1.0, 120.0),
	]
