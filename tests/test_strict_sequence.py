"""A funnel's strict sequence: the next stage only, back only to the previous one (with a comment
when the funnel asks for one), cancellation from any open stage; new cards start at the entry."""

import pytest

from funnel_suite.engine import (
	CommentRequired,
	Funnel,
	MoveNotAllowed,
	Stage,
	StrictEntry,
	plan_entry,
	plan_move,
)

STAGES = (
	Stage("Order accepted"),
	Stage("Materials issued"),
	Stage("Cutting done"),
	Stage("Assembly done"),
	Stage("Delivered", "Won", 100),
	Stage("Cancelled", "Lost"),
)
STRICT = Funnel("Production", STAGES, "Production Order", strict_sequence=True, comment_on_backward=True)
LOOSE = Funnel("Production", STAGES, "Production Order")


def names(stages):
	return [s.name for s in stages]


def test_a_strict_funnel_allows_the_neighbours_and_the_lost_stage():
	assert names(STRICT.next_stages("Materials issued")) == ["Order accepted", "Cutting done", "Cancelled"]
	assert names(STRICT.next_stages("Order accepted")) == ["Materials issued", "Cancelled"]
	assert names(STRICT.next_stages("Delivered")) == ["Assembly done"]
	assert names(STRICT.next_stages("Cancelled")) == []


def test_a_loose_funnel_is_unchanged():
	assert len(LOOSE.next_stages("Materials issued")) == len(STAGES) - 1
	assert plan_move(LOOSE, "Order accepted", "Delivered").to_stage == "Delivered"
	assert plan_move(LOOSE, "Assembly done", "Order accepted").to_stage == "Order accepted"


@pytest.mark.parametrize("target", ["Assembly done", "Delivered"])
def test_skipping_a_stage_is_refused_naming_the_allowed_ones(target):
	with pytest.raises(MoveNotAllowed) as err:
		plan_move(STRICT, "Materials issued", target)
	assert err.value.allowed == ("Order accepted", "Cutting done", "Cancelled")


def test_two_stages_back_is_refused_even_with_a_comment():
	with pytest.raises(MoveNotAllowed):
		plan_move(STRICT, "Assembly done", "Materials issued", comment="redo")


@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_a_move_back_without_a_comment_is_refused(comment):
	with pytest.raises(CommentRequired) as err:
		plan_move(STRICT, "Cutting done", "Materials issued", comment=comment)
	assert (err.value.from_stage, err.value.to_stage) == ("Cutting done", "Materials issued")


def test_a_move_back_with_a_comment_and_forward_without_one_pass():
	assert plan_move(STRICT, "Cutting done", "materials ISSUED", comment="wrong sheet").to_stage == (
		"Materials issued"
	)
	assert plan_move(STRICT, "Cutting done", "Assembly done").to_stage == "Assembly done"
	assert plan_move(STRICT, "Cutting done", "Cancelled").to_stage == "Cancelled"


def test_back_from_won_needs_the_comment_too():
	with pytest.raises(CommentRequired):
		plan_move(STRICT, "Delivered", "Assembly done")


def test_without_comment_on_backward_a_move_back_needs_none():
	funnel = Funnel("P", STAGES, "Production Order", strict_sequence=True)
	assert plan_move(funnel, "Cutting done", "Materials issued").to_stage == "Materials issued"


def test_a_new_card_of_a_strict_funnel_starts_at_the_entry():
	assert plan_entry(STRICT).to_stage == "Order accepted"
	assert plan_entry(STRICT, "order accepted").to_stage == "Order accepted"
	with pytest.raises(StrictEntry) as err:
		plan_entry(STRICT, "Assembly done")
	assert err.value.entry_stage == "Order accepted"
	assert plan_entry(LOOSE, "Assembly done").to_stage == "Assembly done"


def test_allowed_next_still_narrows_a_strict_funnel():
	stages = (Stage("A", allowed_next=("C",)), Stage("B"), Stage("C"), Stage("W", "Won"), Stage("L", "Lost"))
	funnel = Funnel("F", stages, strict_sequence=True)
	assert names(funnel.next_stages("A")) == []
	assert names(funnel.next_stages("B")) == ["A", "C", "L"]


def test_backward_is_about_positions_and_never_about_lost():
	assert STRICT.is_backward("Cutting done", "Order accepted")
	assert not STRICT.is_backward("Cutting done", "Cancelled")
	assert not STRICT.is_backward("Cancelled", "Order accepted")
	assert not STRICT.is_backward(None, "Order accepted")
