"""Named stage checks in the pure engine: every failure at once, with the missing fields."""

import pytest

from funnel_suite.engine import (
	ChecksFailed,
	Funnel,
	MissingFields,
	MoveNotAllowed,
	Stage,
	failed_checks,
	plan_entry,
	plan_funnel_change,
	plan_move,
)

FUNNEL = Funnel(
	name="Procurement",
	stages=(
		Stage("Need registered"),
		Stage("Supplier checked", checks=("supplier_vetted",)),
		Stage(
			"Contract signed", required_fields=("contract",), checks=("supplier_vetted", "contract_signed")
		),
		Stage("Paid", kind="Won"),
		Stage("Cancelled", kind="Lost"),
	),
)


def runner(results):
	calls = []

	def run(name):
		calls.append(name)
		return results.get(name, [])

	run.calls = calls
	return run


def test_a_stage_whose_checks_pass_is_entered():
	run = runner({})
	move = plan_move(FUNNEL, "Need registered", "Contract signed", values={"contract": "C-1"}, checks=run)
	assert move.to_stage == "Contract signed"
	assert run.calls == ["supplier_vetted", "contract_signed"]


def test_every_failure_and_every_missing_field_is_reported_at_once():
	run = runner({"supplier_vetted": ["no tax id", "on hold"], "contract_signed": ["not signed"]})
	with pytest.raises(ChecksFailed) as caught:
		plan_move(FUNNEL, "Need registered", "Contract signed", values={}, checks=run)
	err = caught.value
	assert err.stage == "Contract signed"
	assert err.failures == (
		("supplier_vetted", "no tax id"),
		("supplier_vetted", "on hold"),
		("contract_signed", "not signed"),
	)
	assert err.missing == ("contract",)


def test_missing_fields_alone_stay_a_missing_fields_refusal():
	with pytest.raises(MissingFields):
		plan_move(FUNNEL, "Need registered", "Contract signed", values={}, checks=runner({}))


def test_without_a_runner_a_stage_with_checks_cannot_be_entered():
	with pytest.raises(ChecksFailed) as caught:
		plan_move(FUNNEL, "Need registered", "Supplier checked")
	assert caught.value.failures == (("supplier_vetted", ""),)
	assert failed_checks(FUNNEL.stage("Need registered"), None) == ()


def test_checks_apply_on_entry_and_on_a_funnel_change_even_for_the_app():
	run = runner({"supplier_vetted": ["no supplier"]})
	with pytest.raises(ChecksFailed):
		plan_entry(FUNNEL, "Supplier checked", checks=run)
	with pytest.raises(ChecksFailed):
		plan_funnel_change("Other", "X", FUNNEL, "Supplier checked", as_app=True, checks=run)
	assert plan_entry(FUNNEL, checks=run).to_stage == "Need registered"  # the entry stage has none


def test_checks_are_not_run_when_an_earlier_rule_refuses():
	funnel = Funnel(
		name="F",
		stages=(
			Stage("A", allowed_next=("B",)),
			Stage("B"),
			Stage("C", checks=("x",)),
			Stage("W", kind="Won"),
			Stage("L", kind="Lost"),
		),
	)
	run = runner({"x": ["fails"]})
	with pytest.raises(MoveNotAllowed):
		plan_move(funnel, "A", "C", checks=run)
	assert run.calls == []


def test_the_procurement_preset_lists_its_checks():
	from funnel_suite.workflows import load_preset, preset_funnel

	funnel = preset_funnel(load_preset("procurement")["funnels"][0])
	assert {s.name: s.checks for s in funnel.stages if s.checks} == {
		"Supplier checked": ("supplier_vetted",),
		"Contract signed": ("contract_signed",),
		"Order placed": ("order_placed",),
		"Invoice received": ("invoice_received",),
		"Delivered": ("fully_received",),
		"Paid": ("fully_paid",),
	}
