"""Create Project hand-offs (pure): the rule is validated like the others but opens no card, so it is
no edge of the hand-off graph and no step of a plan; the project's tasks are the template funnel's
stages (Lost ones left out), in order, each after the one before, dated by next_action_due_days."""

from datetime import date

import pytest

from funnel_suite.engine.definition import KIND_LOST, KIND_OPEN, KIND_WON, Funnel, Stage
from funnel_suite.engine.handoffs import (
	ACTION_CREATE,
	ACTION_CREATE_PROJECT,
	ACTION_MOVE,
	ACTIONS,
	BadAction,
	HandoffRule,
	UnknownTargetFunnel,
	find_loops,
	resolve,
	validate_rules,
)
from funnel_suite.engine.project_plan import plan_tasks
from funnel_suite.workflows import load_preset, preset_funnel, preset_handoffs


def _funnel(name, *stages):
	return Funnel(name=name, stages=tuple(Stage(n, k, next_action_due_days=d) for n, k, d in stages))


SALE = _funnel("Sale", ("Asked", KIND_OPEN, 1), ("Signed", KIND_WON, 0), ("Refused", KIND_LOST, 0))
PRODUCTION = _funnel(
	"Production",
	("Accepted", KIND_OPEN, 2),
	("Made", KIND_OPEN, 3),
	("Handed over", KIND_WON, 0),
	("Cancelled", KIND_LOST, 0),
)
CONSTRUCTION = _funnel(
	"Construction",
	("Site ready", KIND_OPEN, 5),
	("Installed", KIND_OPEN, 2),
	("Accepted", KIND_WON, 0),
	("Stopped", KIND_LOST, 0),
)
FUNNELS = {f.name: f for f in (SALE, PRODUCTION, CONSTRUCTION)}
SALE_CREATES_ORDER = HandoffRule("Sale", "Signed", ACTION_CREATE, "Production", name="1")
ORDER_OPENS_PROJECT = HandoffRule(
	"Production", "Handed over", ACTION_CREATE_PROJECT, "Construction", name="2"
)


def test_create_project_is_an_action():
	assert ACTION_CREATE_PROJECT in ACTIONS
	assert validate_rules([SALE_CREATES_ORDER, ORDER_OPENS_PROJECT], FUNNELS) == []
	odd = HandoffRule("Production", "Handed over", "create projects", "Construction", name="3")
	assert validate_rules([odd], FUNNELS) == [BadAction(odd)]


def test_create_project_needs_a_known_template_funnel_and_ignores_the_target_stage():
	unknown = HandoffRule("Production", "Handed over", ACTION_CREATE_PROJECT, "Nowhere", name="4")
	assert validate_rules([unknown], FUNNELS) == [UnknownTargetFunnel(unknown)]
	with_stage = HandoffRule(
		"Production", "Handed over", ACTION_CREATE_PROJECT, "Construction", "no such stage", name="5"
	)
	assert validate_rules([with_stage], FUNNELS) == []


def test_create_project_is_no_edge_so_a_project_back_to_the_source_is_no_loop():
	back = HandoffRule("Construction", "Accepted", ACTION_MOVE, "Production", "Handed over", name="6")
	# a project whose template is the funnel that would move cards back: no card travels along it
	assert find_loops([ORDER_OPENS_PROJECT, back], FUNNELS) == []


def test_a_plan_leaves_create_project_rules_out():
	plan = resolve([SALE_CREATES_ORDER, ORDER_OPENS_PROJECT], FUNNELS, "Production", "Handed over", {})
	assert plan == []
	plan = resolve([SALE_CREATES_ORDER, ORDER_OPENS_PROJECT], FUNNELS, "Sale", "Signed", {})
	assert [(p.to_funnel, p.to_stage, p.creates) for p in plan] == [("Production", "Accepted", True)]


def test_tasks_follow_the_stages_in_order_without_lost_ones():
	tasks = plan_tasks(CONSTRUCTION, date(2026, 12, 1))
	assert [t.subject for t in tasks] == ["Site ready", "Installed", "Accepted"]
	assert [t.after for t in tasks] == [None, 0, 1]
	# 5 days, 2 days, then at least one day; each starts the day after the one before ends
	assert [(t.start, t.end) for t in tasks] == [
		(date(2026, 12, 1), date(2026, 12, 5)),
		(date(2026, 12, 6), date(2026, 12, 7)),
		(date(2026, 12, 8), date(2026, 12, 8)),
	]


@pytest.mark.parametrize("days", [0, -3, None])
def test_a_stage_without_days_still_gets_a_one_day_task(days):
	funnel = Funnel("F", (Stage("Only", KIND_OPEN, next_action_due_days=days), Stage("Done", KIND_WON)))
	tasks = plan_tasks(funnel, date(2026, 1, 31))
	assert [(t.start, t.end) for t in tasks] == [
		(date(2026, 1, 31), date(2026, 1, 31)),
		(date(2026, 2, 1), date(2026, 2, 1)),
	]


def test_descriptions_are_the_stages_next_actions():
	funnel = Funnel("F", (Stage("A", KIND_OPEN, next_action="Do it"), Stage("B", KIND_WON)))
	assert [t.description for t in plan_tasks(funnel, date(2026, 1, 1))] == ["Do it", ""]


def test_construction_preset_sale_creates_an_order_and_production_opens_the_project():
	spec = load_preset("construction")
	funnels = {f["funnel_name"]: f for f in spec["funnels"]}
	assert funnels["Production"]["document_type"] == "Production Order"
	assert funnels["Production"]["strict_sequence"] and funnels["Production"]["comment_on_backward"]
	rules = {(r.source_funnel, r.action, r.target_funnel) for r in preset_handoffs(spec)}
	assert rules == {
		("Sale with Design", ACTION_CREATE, "Production"),
		("Production", ACTION_CREATE_PROJECT, "Construction"),
	}
	construction = preset_funnel(funnels["Construction"])
	subjects = [t.subject for t in plan_tasks(construction, date(2026, 1, 1))]
	assert subjects == [s.name for s in construction.stages if s.kind != KIND_LOST]
	stages = {s["stage_name"]: s for s in funnels["Production"]["stages"]}
	assert "issue_materials" in stages["Materials issued"]["checks"]
