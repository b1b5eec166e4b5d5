from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine.definition import KIND_LOST, KIND_OPEN, KIND_WON, Funnel, Stage
from funnel_suite.engine.handoffs import (
	ACTION_CREATE,
	ACTION_MOVE,
	BadAction,
	HandoffError,
	HandoffLoop,
	HandoffRule,
	PlannedHandoff,
	UnknownTargetFunnel,
	UnknownTargetStage,
	UnknownTriggerStage,
	find_loops,
	resolve,
	rule_matches,
	target_stage,
	validate_rules,
)


def _funnel(name: str, *stages: tuple[str, str]) -> Funnel:
	return Funnel(name, tuple(Stage(stage, kind) for stage, kind in stages))


DESIGN = _funnel(
	"Design sale",
	("Inquiry", KIND_OPEN),
	("Design approved", KIND_OPEN),
	("Won", KIND_WON),
	("Lost", KIND_LOST),
)
PRODUCTION = _funnel(
	"Production",
	("Queued", KIND_OPEN),
	("In work", KIND_OPEN),
	("Done", KIND_WON),
	("Cancelled", KIND_LOST),
)
WHOLESALE = _funnel(
	"Wholesale",
	("Lead", KIND_OPEN),
	("Negotiation", KIND_OPEN),
	("First shipment delivered", KIND_WON),
	("Lost", KIND_LOST),
)
SUPPLIES = _funnel(
	"Supplies",
	("Regular supply", KIND_OPEN),
	("Paused", KIND_OPEN),
	("Closed", KIND_WON),
	("Churned", KIND_LOST),
)
UPSELL = _funnel(
	"Upsell", ("Idea", KIND_OPEN), ("Offer sent", KIND_OPEN), ("Sold", KIND_WON), ("No", KIND_LOST)
)
DEFERRED = _funnel("Deferred Demand", ("Waiting", KIND_OPEN), ("Revived", KIND_WON), ("Dropped", KIND_LOST))
FUNNELS = {f.name: f for f in (DESIGN, PRODUCTION, WHOLESALE, SUPPLIES, UPSELL, DEFERRED)}

WON_CREATES_PRODUCTION = HandoffRule("Design sale", "Won", ACTION_CREATE, "Production", name="r1")
DELIVERED_MOVES_TO_SUPPLIES = HandoffRule(
	"Wholesale", "First shipment delivered", ACTION_MOVE, "Supplies", name="r2"
)
SUPPLIES_CREATES_UPSELL = HandoffRule("Supplies", "regular supply", ACTION_CREATE, "Upsell", name="r3")
NOT_NOW_DEFERRED = HandoffRule(
	"Wholesale",
	"Lost",
	ACTION_MOVE,
	"Deferred Demand",
	condition_field="lost_category",
	condition_value="Not now",
	name="r4",
)


def _rule(source: str, trigger: str, target: str, stage: str | None = None, action: str = ACTION_MOVE):
	return HandoffRule(source, trigger, action, target, stage)


# -- rule_matches -------------------------------------------------------------------------------------------


def test_rule_matches_funnel_and_normalized_stage():
	rule = _rule("Wholesale", "First shipment delivered", "Supplies")
	assert rule_matches(rule, "Wholesale", "First shipment delivered", {})
	assert rule_matches(rule, "Wholesale", "  first   SHIPMENT delivered ", {})
	assert not rule_matches(rule, "Wholesale", "Negotiation", {})
	assert not rule_matches(rule, "Supplies", "First shipment delivered", {})
	assert not rule_matches(_rule("Wholesale", "  ", "Supplies"), "Wholesale", "", {})


@pytest.mark.parametrize(
	"value, wanted, expected",
	[
		("Not now", "Not now", True),
		("  not NOW ", "Not now", True),
		("Not now", "  NOT NOW  ", True),
		("Price", "Not now", False),
		(None, "Not now", False),
		("", "Not now", False),
		("   ", "Not now", False),
		(5, "5", True),
		(5.0, "5", True),
		(Decimal("5.00"), "5", True),
		(5.5, "5.5", True),
		(5, "5.0", True),
		(5, "6", False),
		(1, "1", True),
		(0, "1", False),
		(True, "1", True),
		(False, "0", True),
		("5", "5.0", False),
		(None, None, True),
		("", "", True),
		("x", None, False),
	],
)
def test_rule_matches_condition(value, wanted, expected):
	rule = HandoffRule("Wholesale", "Lost", ACTION_MOVE, "Deferred Demand", None, "lost_category", wanted)
	assert rule_matches(rule, "Wholesale", "Lost", {"lost_category": value}) is expected


def test_rule_matches_missing_field_and_no_condition():
	assert not rule_matches(NOT_NOW_DEFERRED, "Wholesale", "Lost", {})
	blank_field = HandoffRule("Wholesale", "Lost", ACTION_MOVE, "Deferred Demand", None, "  ", "Not now")
	assert rule_matches(blank_field, "Wholesale", "Lost", {"lost_category": "Price"})


# -- target_stage -------------------------------------------------------------------------------------------


def test_target_stage_empty_is_entry_stage():
	assert target_stage(_rule("Design sale", "Won", "Production"), FUNNELS) == "Queued"
	assert target_stage(_rule("Design sale", "Won", "Production", "  "), FUNNELS) == "Queued"
	late_entry = _funnel("Late", ("Won", KIND_WON), ("Start", KIND_OPEN), ("Lost", KIND_LOST))
	assert target_stage(_rule("Design sale", "Won", "Late"), {"Late": late_entry}) == "Start"


def test_target_stage_loose_spelling_is_canonical():
	assert target_stage(_rule("Design sale", "Won", "Production", "  in   WORK "), FUNNELS) == "In work"


def test_target_stage_unknown():
	rule = _rule("Design sale", "Won", "Nowhere")
	with pytest.raises(UnknownTargetFunnel) as error:
		target_stage(rule, FUNNELS)
	assert error.value.rule is rule
	rule = _rule("Design sale", "Won", "Production", "Shipped")
	with pytest.raises(UnknownTargetStage) as error:
		target_stage(rule, FUNNELS)
	assert error.value.allowed == PRODUCTION.stage_names
	assert isinstance(error.value, HandoffError) and isinstance(error.value, ValueError)
	no_open = _funnel("Closed only", ("Won", KIND_WON), ("Lost", KIND_LOST))
	with pytest.raises(UnknownTargetStage):
		target_stage(_rule("Design sale", "Won", "Closed only"), {"Closed only": no_open})


# -- validate_rules -----------------------------------------------------------------------------------------


def test_validate_rules_fine():
	rules = [WON_CREATES_PRODUCTION, DELIVERED_MOVES_TO_SUPPLIES, SUPPLIES_CREATES_UPSELL, NOT_NOW_DEFERRED]
	assert validate_rules(rules, FUNNELS) == []


def test_validate_rules_reports_every_problem():
	bad_action = HandoffRule("Design sale", "Won", "teleport", "Production", name="bad")
	no_funnel = _rule("Design sale", "Won", "Nowhere")
	no_stage = _rule("Design sale", "Won", "Production", "Shipped")
	no_trigger = _rule("Design sale", "Signed", "Production")
	no_source = _rule("Ghost", "Won", "Production")
	loop_there = _rule("Upsell", "Sold", "Deferred Demand", "Revived")
	loop_back = _rule("Deferred Demand", "revived", "Upsell", "sold")
	rules = [
		WON_CREATES_PRODUCTION,
		bad_action,
		no_funnel,
		no_stage,
		no_trigger,
		no_source,
		loop_there,
		loop_back,
	]

	problems = validate_rules(rules, FUNNELS)

	assert problems == [
		BadAction(bad_action),
		UnknownTargetFunnel(no_funnel),
		UnknownTargetStage(no_stage, PRODUCTION.stage_names),
		UnknownTriggerStage(no_trigger, DESIGN.stage_names),
		UnknownTriggerStage(no_source, ()),
		HandoffLoop((("Deferred Demand", "Revived"), ("Upsell", "Sold"), ("Deferred Demand", "Revived"))),
	]
	assert [p.code for p in problems] == [
		"bad_action",
		"unknown_target_funnel",
		"unknown_target_stage",
		"unknown_trigger_stage",
		"unknown_trigger_stage",
		"handoff_loop",
	]
	assert all(str(p) for p in problems)
	assert "'bad'" in str(problems[0])


def test_validate_rules_several_problems_of_one_rule():
	rule = HandoffRule("Design sale", "Signed", "Move ", "Production", "Shipped")
	assert [type(p) for p in validate_rules([rule], FUNNELS)] == [UnknownTriggerStage, UnknownTargetStage]
	rule = HandoffRule("Design sale", "Signed", "", "Nowhere")
	assert [type(p) for p in validate_rules([rule], FUNNELS)] == [
		BadAction,
		UnknownTriggerStage,
		UnknownTargetFunnel,
	]


# -- find_loops ---------------------------------------------------------------------------------------------


def test_find_loops_two_nodes_via_entry_stage():
	rules = [_rule("Design sale", "Won", "Production"), _rule("Production", "queued", "Design sale", "WON")]
	assert find_loops(rules, FUNNELS) == [
		(("Design sale", "Won"), ("Production", "Queued"), ("Design sale", "Won")),
	]


def test_find_loops_self_loop():
	rules = [_rule("Production", "Done", "Production", " done "), WON_CREATES_PRODUCTION]
	assert find_loops(rules, FUNNELS) == [(("Production", "Done"), ("Production", "Done"))]


def test_find_loops_three_funnels_reported_once_from_smallest_node():
	rules = [
		_rule("Supplies", "Closed", "Upsell", "Sold"),
		_rule("Upsell", "Sold", "Production", "Done", ACTION_CREATE),
		_rule("Production", "Done", "Supplies", "Closed"),
		_rule("Production", "Done", "Supplies", "closed"),  # the same edge twice
	]
	assert find_loops(rules, FUNNELS) == [
		(("Production", "Done"), ("Supplies", "Closed"), ("Upsell", "Sold"), ("Production", "Done")),
	]


def test_find_loops_no_false_cycle_for_a_chain():
	rules = [
		_rule("Design sale", "Won", "Production", "Done"),
		_rule("Production", "Done", "Supplies"),
		_rule("Supplies", "Regular supply", "Upsell", action=ACTION_CREATE),
		_rule("Design sale", "Won", "Supplies"),  # a second path to the same node is no cycle
	]
	assert find_loops(rules, FUNNELS) == []


def test_find_loops_several_cycles_each_once():
	rules = [
		_rule("Production", "Done", "Supplies", "Closed"),
		_rule("Supplies", "Closed", "Production", "Done"),
		_rule("Supplies", "Closed", "Upsell", "Sold"),
		_rule("Upsell", "Sold", "Production", "Done"),
		_rule("Upsell", "Sold", "Upsell", "Sold"),
	]
	loops = find_loops(rules, FUNNELS)
	assert loops == [
		(("Production", "Done"), ("Supplies", "Closed"), ("Production", "Done")),
		(("Production", "Done"), ("Supplies", "Closed"), ("Upsell", "Sold"), ("Production", "Done")),
		(("Upsell", "Sold"), ("Upsell", "Sold")),
	]
	assert len(set(loops)) == len(loops)


def test_find_loops_skips_unknown_parts():
	rules = [
		_rule("Production", "Done", "Nowhere"),
		_rule("Nowhere", "Done", "Production", "Done"),
		_rule("Production", "Done", "Production", "Shipped"),
		HandoffRule("Production", "Done", "teleport", "Production", "Done"),
	]
	assert find_loops(rules, FUNNELS) == []


# -- resolve ------------------------------------------------------------------------------------------------


def test_resolve_nothing():
	assert resolve([WON_CREATES_PRODUCTION], FUNNELS, "Design sale", "Inquiry", {}) == []
	assert resolve([], FUNNELS, "Design sale", "Won", {}) == []


def test_resolve_single_move():
	plan = resolve([DELIVERED_MOVES_TO_SUPPLIES], FUNNELS, "Wholesale", "first shipment DELIVERED", {})
	assert plan == [
		PlannedHandoff(
			DELIVERED_MOVES_TO_SUPPLIES,
			0,
			"Wholesale",
			"First shipment delivered",
			"Supplies",
			"Regular supply",
			False,
			None,
		)
	]


def test_resolve_single_create():
	plan = resolve([WON_CREATES_PRODUCTION], FUNNELS, "Design sale", "Won", {})
	assert plan == [
		PlannedHandoff(WON_CREATES_PRODUCTION, 0, "Design sale", "Won", "Production", "Queued", True, 1)
	]


def test_resolve_chain_move_then_create():
	rules = [SUPPLIES_CREATES_UPSELL, DELIVERED_MOVES_TO_SUPPLIES, WON_CREATES_PRODUCTION]
	plan = resolve(rules, FUNNELS, "Wholesale", "First shipment delivered", {})
	assert [(p.rule.name, p.card, p.from_funnel, p.from_stage, p.to_funnel, p.to_stage) for p in plan] == [
		("r2", 0, "Wholesale", "First shipment delivered", "Supplies", "Regular supply"),
		("r3", 0, "Supplies", "Regular supply", "Upsell", "Idea"),
	]
	assert [(p.creates, p.new_card) for p in plan] == [(False, None), (True, 1)]


def test_resolve_chain_move_then_move():
	rules = [DELIVERED_MOVES_TO_SUPPLIES, _rule("Supplies", "Regular supply", "Supplies", "Paused")]
	plan = resolve(rules, FUNNELS, "Wholesale", "First shipment delivered", {})
	assert [(p.card, p.to_funnel, p.to_stage) for p in plan] == [
		(0, "Supplies", "Regular supply"),
		(0, "Supplies", "Paused"),
	]


def test_resolve_created_card_fires_rules_of_its_node():
	rules = [WON_CREATES_PRODUCTION, HandoffRule("Production", "Queued", ACTION_CREATE, "Upsell", name="r5")]
	plan = resolve(rules, FUNNELS, "Design sale", "Won", {})
	assert [(p.rule.name, p.card, p.new_card, p.from_funnel, p.to_funnel) for p in plan] == [
		("r1", 0, 1, "Design sale", "Production"),
		("r5", 1, 2, "Production", "Upsell"),
	]


def test_resolve_create_and_move_on_one_node_both_fire_in_order():
	to_deferred = _rule("Design sale", "Won", "Deferred Demand")
	to_upsell = _rule("Design sale", "Won", "Upsell", "Offer sent")
	rules = [WON_CREATES_PRODUCTION, to_deferred, to_upsell]
	plan = resolve(rules, FUNNELS, "Design sale", "Won", {})
	assert [(p.rule, p.card, p.creates, p.new_card, p.to_funnel) for p in plan] == [
		(WON_CREATES_PRODUCTION, 0, True, 1, "Production"),
		(to_deferred, 0, False, None, "Deferred Demand"),
	]


def test_resolve_only_first_matching_move_fires_per_card_and_node():
	not_now = NOT_NOW_DEFERRED
	any_lost = _rule("Wholesale", "Lost", "Supplies", "Churned")
	assert [p.rule for p in resolve([any_lost, not_now], FUNNELS, "Wholesale", "Lost", {})] == [any_lost]
	values = {"lost_category": "Not now"}
	assert [p.rule for p in resolve([not_now, any_lost], FUNNELS, "Wholesale", "Lost", values)] == [not_now]
	# a condition that does not match does not use up the node's move
	assert [p.rule for p in resolve([not_now, any_lost], FUNNELS, "Wholesale", "Lost", {})] == [any_lost]


def test_resolve_condition_filters():
	plan = resolve([NOT_NOW_DEFERRED], FUNNELS, "Wholesale", "Lost", {"lost_category": " not now"})
	assert [(p.to_funnel, p.to_stage) for p in plan] == [("Deferred Demand", "Waiting")]
	assert resolve([NOT_NOW_DEFERRED], FUNNELS, "Wholesale", "Lost", {"lost_category": "Price"}) == []
	assert resolve([NOT_NOW_DEFERRED], FUNNELS, "Wholesale", "Lost", {"lost_category": None}) == []


def test_resolve_loop_raises_with_the_cycle():
	rules = [_rule("Design sale", "Won", "Production"), _rule("Production", "Queued", "Design sale", "Won")]
	with pytest.raises(HandoffLoop) as error:
		resolve(rules, FUNNELS, "Design sale", "Won", {})
	assert error.value.path == (("Design sale", "Won"), ("Production", "Queued"), ("Design sale", "Won"))
	assert error.value.max_depth is None


def test_resolve_self_loop_raises():
	with pytest.raises(HandoffLoop) as error:
		resolve([_rule("Production", "Done", "Production", "DONE")], FUNNELS, "Production", "Done", {})
	assert error.value.path == (("Production", "Done"), ("Production", "Done"))


def test_resolve_create_loop_raises_instead_of_making_cards_forever():
	rules = [
		_rule("Design sale", "Won", "Production", "Done", ACTION_CREATE),
		_rule("Production", "Done", "Design sale", "Won", ACTION_CREATE),
	]
	with pytest.raises(HandoffLoop) as error:
		resolve(rules, FUNNELS, "Design sale", "Won", {})
	assert error.value.path == (("Design sale", "Won"), ("Production", "Done"), ("Design sale", "Won"))


def test_resolve_conditional_loop_only_when_condition_holds():
	rules = [
		_rule("Design sale", "Won", "Production"),
		HandoffRule("Production", "Queued", ACTION_MOVE, "Design sale", "Won", "rework", "1"),
	]
	assert len(resolve(rules, FUNNELS, "Design sale", "Won", {"rework": 0})) == 1
	with pytest.raises(HandoffLoop):
		resolve(rules, FUNNELS, "Design sale", "Won", {"rework": 1})


def test_resolve_max_depth():
	chain = [
		_rule("Design sale", "Won", "Production"),
		_rule("Production", "Queued", "Supplies"),
		_rule("Supplies", "Regular supply", "Upsell"),
	]
	assert len(resolve(chain, FUNNELS, "Design sale", "Won", {}, max_depth=3)) == 3
	with pytest.raises(HandoffLoop) as error:
		resolve(chain, FUNNELS, "Design sale", "Won", {}, max_depth=2)
	assert error.value.max_depth == 2
	assert error.value.path == (
		("Design sale", "Won"),
		("Production", "Queued"),
		("Supplies", "Regular supply"),
		("Upsell", "Idea"),
	)
	assert "longer than 2" in str(error.value)


def test_resolve_raises_for_broken_matching_rule():
	with pytest.raises(UnknownTargetFunnel):
		resolve([_rule("Design sale", "Won", "Nowhere")], FUNNELS, "Design sale", "Won", {})
	with pytest.raises(BadAction):
		resolve([HandoffRule("Design sale", "Won", "x", "Production")], FUNNELS, "Design sale", "Won", {})
	assert resolve([_rule("Design sale", "Won", "Nowhere")], FUNNELS, "Design sale", "Lost", {}) == []


def test_action_is_read_loosely():
	rule = HandoffRule("Design sale", "Won", " Create", "Production")
	assert validate_rules([rule], FUNNELS) == []
	assert resolve([rule], FUNNELS, "Design sale", "Won", {})[0].creates


# -- property -----------------------------------------------------------------------------------------------

STAGE_NAMES = st.text(alphabet="abcXY ", min_size=1, max_size=5).filter(lambda s: s.strip())
FIELD_VALUES = ("a", "b", " A ", None, "")


@st.composite
def funnels(draw, name: str) -> Funnel:
	names = draw(
		st.lists(STAGE_NAMES, min_size=3, max_size=5, unique_by=lambda s: " ".join(s.split()).casefold())
	)
	kinds = [KIND_OPEN, KIND_WON, KIND_LOST] + [
		draw(st.sampled_from((KIND_OPEN, KIND_WON, KIND_LOST))) for _ in names[3:]
	]
	kinds = draw(st.permutations(kinds))
	return Funnel(name, tuple(Stage(n, k) for n, k in zip(names, kinds, strict=True)))


def _spelling(draw, stage: str) -> str:
	return draw(st.sampled_from((stage, stage.upper(), f"  {stage.lower()} ", stage.replace(" ", "  "))))


@st.composite
def rules(draw, by_name: dict[str, Funnel]) -> HandoffRule:
	source = by_name[draw(st.sampled_from(sorted(by_name)))]
	target = by_name[draw(st.sampled_from(sorted(by_name)))]
	trigger = _spelling(draw, draw(st.sampled_from(source.stage_names)))
	stage = draw(st.one_of(st.sampled_from((None, "")), st.sampled_from(target.stage_names)))
	if stage:
		stage = _spelling(draw, stage)
	condition = draw(st.sampled_from((None, "a", "B")))
	return HandoffRule(
		source.name,
		trigger,
		draw(st.sampled_from((ACTION_MOVE, ACTION_CREATE))),
		target.name,
		stage,
		"kind" if condition else None,
		condition,
	)


@settings(max_examples=300, deadline=None)
@given(funnels("A"), funnels("B"), funnels("C"), st.data())
def test_no_loop_found_means_resolve_never_loops(a, b, c, data):
	by_name = {f.name: f for f in (a, b, c)}
	rule_set = data.draw(st.lists(rules(by_name), max_size=8))
	values = {"kind": data.draw(st.sampled_from(FIELD_VALUES))}

	assert not [p for p in validate_rules(rule_set, by_name) if not isinstance(p, HandoffLoop)]
	loops = find_loops(rule_set, by_name)
	for cycle in loops:
		assert cycle[0] == cycle[-1] == min(cycle)
		assert len(set(cycle[:-1])) == len(cycle) - 1
	assert len(set(loops)) == len(loops)
	if loops:
		return

	for funnel in by_name.values():
		for stage in funnel.stage_names:
			plan = resolve(rule_set, by_name, funnel.name, _spelling(data.draw, stage), values)
			cards = {0}
			for step in plan:
				assert by_name[step.to_funnel].stage(step.to_stage).name == step.to_stage
				assert step.to_stage in by_name[step.to_funnel].stage_names
				assert step.card in cards
				if step.creates:
					assert step.new_card == max(cards) + 1
					cards.add(step.new_card)
				else:
					assert step.new_card is None
