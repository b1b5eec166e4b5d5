"""Production orders and ERPNext Work Orders in the pure engine: the ready stage a completed Work
Order moves an order to, the stages passed on the way, and works completed by Job Cards."""

from funnel_suite.engine import Funnel, Stage
from funnel_suite.engine.production import JobCardTime, operation_progress, ready_stage, stages_towards

STAGES = (
	Stage("Order accepted"),
	Stage("Materials issued"),
	Stage("Cutting done"),
	Stage("Ready for delivery"),
	Stage("Delivered", "Won"),
	Stage("Cancelled", "Lost"),
)
STRICT = Funnel("Production", STAGES, strict_sequence=True)
FREE = Funnel("Free", STAGES)


def test_the_ready_stage_is_the_last_open_one_before_won_unless_configured():
	assert ready_stage(STRICT).name == "Ready for delivery"
	assert ready_stage(STRICT, "cutting  done").name == "Cutting done"
	# a stage the funnel lacks, or one that is not Open, falls back to the rule
	assert ready_stage(STRICT, "Painted").name == "Ready for delivery"
	assert ready_stage(STRICT, "Delivered").name == "Ready for delivery"
	assert ready_stage(STRICT, "Cancelled").name == "Ready for delivery"
	no_won = Funnel("x", (Stage("A"), Stage("B"), Stage("Lost", "Lost")))
	assert ready_stage(no_won).name == "B"
	assert ready_stage(Funnel("y", (Stage("W", "Won"),))) is None


def test_a_strict_funnel_is_walked_stage_by_stage_a_free_one_jumps():
	assert stages_towards(STRICT, "Order accepted", "Ready for delivery") == [
		"Materials issued",
		"Cutting done",
		"Ready for delivery",
	]
	assert stages_towards(STRICT, "Cutting done", "Ready for delivery") == ["Ready for delivery"]
	assert stages_towards(FREE, "Order accepted", "Ready for delivery") == ["Ready for delivery"]


def test_nothing_to_walk_when_the_order_is_there_past_it_or_closed():
	assert stages_towards(STRICT, "Ready for delivery", "Ready for delivery") == []
	assert stages_towards(STRICT, "Delivered", "Ready for delivery") == []
	assert stages_towards(STRICT, "Cancelled", "Ready for delivery") == []
	assert stages_towards(STRICT, "Order accepted", "Cancelled") == []
	assert stages_towards(STRICT, None, "Ready for delivery") == []
	assert stages_towards(STRICT, "Order accepted", "Nowhere") == []


def test_an_operation_is_done_when_its_cards_are_submitted_and_none_is_a_draft():
	cards = [
		JobCardTime("Cutting", 1, 90),
		JobCardTime("Cutting", 0, 0),
		JobCardTime("Assembly", 1, 30),
		JobCardTime("Assembly", 1, 45),
		JobCardTime("Painting", 2, 60),
	]
	cutting = operation_progress(cards, "Cutting")
	assert (cutting.done, cutting.hours, cutting.started) == (False, 1.5, True)
	assembly = operation_progress(cards, "Assembly")
	assert (assembly.done, assembly.hours) == (True, 1.25)
	# a cancelled card counts for nothing: the works reopen
	painting = operation_progress(cards, "Painting")
	assert (painting.done, painting.hours, painting.started) == (False, 0.0, False)
	assert operation_progress([], "Cutting").done is False
