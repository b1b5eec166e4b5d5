from datetime import datetime, timedelta

import pytest

from funnel_suite.engine import (
	ENTRY_OVERRIDE_ROLES,
	CardState,
	EntryStageOnly,
	Funnel,
	FunnelDisabled,
	MissingFields,
	MoveNotAllowed,
	RoleNotAllowed,
	Stage,
	UnknownStage,
	apply_move,
	is_missing,
	plan_entry,
	plan_funnel_change,
	plan_move,
)

SALE = Funnel(
	"Main sale",
	(
		Stage("Inquiry received"),
		Stage("Need identified", required_fields=("customer_name", "contact_email")),
		Stage("Proposal sent", allowed_next=("Contract signed", "Lost", "Need identified")),
		Stage("Contract signed", "Won", 100, allowed_roles=("Sales Manager",)),
		Stage("Lost", "Lost", required_fields=("order_lost_reason",)),
	),
	document_type="Opportunity",
)
VALUES = {"customer_name": "Acme", "contact_email": "a@acme.test", "order_lost_reason": "Price"}


def test_forward_move():
	move = plan_move(SALE, "Inquiry received", "Need identified", (), VALUES)
	assert (move.funnel, move.from_stage, move.to_stage, move.is_noop) == (
		"Main sale",
		"Inquiry received",
		"Need identified",
		False,
	)


def test_target_name_is_matched_loosely_and_returned_canonical():
	move = plan_move(SALE, "inquiry received", "  need IDENTIFIED", (), VALUES)
	assert move.to_stage == "Need identified"
	assert move.from_stage == "Inquiry received"


def test_move_to_current_stage_is_noop():
	move = plan_move(SALE, "Proposal sent", "proposal sent", ())
	assert move.is_noop
	state = CardState("Main sale", "Proposal sent", datetime(2026, 1, 1))
	assert apply_move(state, move, datetime(2026, 1, 2)) == (state, None)


def test_backward_move_allowed_unless_allowed_next_forbids():
	assert plan_move(SALE, "Need identified", "Inquiry received").to_stage == "Inquiry received"
	assert plan_move(SALE, "Proposal sent", "Need identified", (), VALUES).to_stage == "Need identified"
	with pytest.raises(MoveNotAllowed) as err:
		plan_move(SALE, "Proposal sent", "Inquiry received")
	assert err.value.allowed == ("Need identified", "Contract signed", "Lost")
	assert "Contract signed" in str(err.value)


def test_unknown_stage_names_allowed_targets():
	with pytest.raises(UnknownStage) as err:
		plan_move(SALE, "Proposal sent", "Thinking")
	assert err.value.stage == "Thinking"
	assert err.value.allowed == ("Need identified", "Contract signed", "Lost")


def test_missing_required_fields_all_listed():
	with pytest.raises(MissingFields) as err:
		plan_move(SALE, "Inquiry received", "Need identified", (), {"customer_name": "  ", "other": 1})
	assert err.value.fields == ("customer_name", "contact_email")
	assert err.value.stage == "Need identified"


def test_role_not_allowed_checked_before_fields():
	with pytest.raises(RoleNotAllowed) as err:
		plan_move(SALE, "Proposal sent", "Contract signed", ("Sales User",), {})
	assert err.value.roles == ("Sales Manager",)
	move = plan_move(SALE, "Proposal sent", "Contract signed", ("Sales User", "Sales Manager"), {})
	assert move.to_stage == "Contract signed"


def test_disabled_funnel_refuses_everything():
	off = Funnel("Old", SALE.stages, enabled=False)
	with pytest.raises(FunnelDisabled):
		plan_move(off, "Inquiry received", "Need identified", (), VALUES)
	with pytest.raises(FunnelDisabled):
		plan_entry(off)


def test_unknown_current_stage_allows_any_target():
	move = plan_move(SALE, "Removed stage", "Proposal sent")
	assert (move.from_stage, move.to_stage) == ("Removed stage", "Proposal sent")


def test_final_stage_can_reopen():
	assert plan_move(SALE, "Lost", "Inquiry received").to_stage == "Inquiry received"


def test_entry_defaults_to_first_open_stage_and_validates_requested():
	assert plan_entry(SALE).to_stage == "Inquiry received"
	assert plan_entry(SALE).from_stage is None
	assert plan_entry(SALE, "proposal sent").to_stage == "Proposal sent"
	with pytest.raises(MissingFields):
		plan_entry(SALE, "Need identified", (), {})
	with pytest.raises(UnknownStage):
		plan_entry(SALE, "Nope")
	with pytest.raises(UnknownStage):
		plan_entry(Funnel("Closed only", (Stage("W", "Won"),)))


def test_funnel_change_goes_to_entry_or_requested_stage():
	upsell = Funnel("Upsell", (Stage("Offer made"), Stage("Upsold", "Won"), Stage("Declined", "Lost")))
	move = plan_funnel_change("Main sale", "Contract signed", upsell)
	assert (move.from_funnel, move.funnel, move.from_stage, move.to_stage) == (
		"Main sale",
		"Upsell",
		"Contract signed",
		"Offer made",
	)
	assert move.changes_funnel and not move.is_noop
	assert (
		plan_funnel_change("Main sale", "Lost", upsell, "declined", ENTRY_OVERRIDE_ROLES).to_stage
		== "Declined"
	)


UPSELL = Funnel(
	"Upsell",
	(
		Stage("Offer made"),
		Stage("Priced", required_fields=("opportunity_amount",)),
		Stage("Approved", allowed_roles=("Sales Manager",)),
		Stage("Upsold", "Won", 100),
		Stage("Declined", "Lost"),
	),
	document_type="Opportunity",
)


def test_funnel_change_into_a_later_stage_needs_a_funnel_manager():
	with pytest.raises(EntryStageOnly) as err:
		plan_funnel_change("Main sale", "Inquiry received", UPSELL, "Upsold", ("Sales User",), VALUES)
	assert (err.value.funnel, err.value.stage, err.value.entry_stage) == ("Upsell", "Upsold", "Offer made")
	assert err.value.roles == ENTRY_OVERRIDE_ROLES == ("Funnel Manager",)
	# the entry stage, named or not, is open to everyone
	for requested in (None, "offer made"):
		move = plan_funnel_change("Main sale", "Inquiry received", UPSELL, requested, ("Sales User",))
		assert move.to_stage == "Offer made"
	assert plan_funnel_change("Main sale", "X", UPSELL, "Upsold", ("Funnel Manager",)).to_stage == "Upsold"


def test_a_funnel_manager_still_passes_the_stage_gates():
	with pytest.raises(MissingFields):
		plan_funnel_change("Main sale", "Inquiry received", UPSELL, "Priced", ("Funnel Manager",), {})
	with pytest.raises(RoleNotAllowed):
		plan_funnel_change("Main sale", "Inquiry received", UPSELL, "Approved", ("Funnel Manager",))
	roles = ("Funnel Manager", "Sales Manager")
	assert (
		plan_funnel_change("Main sale", "Inquiry received", UPSELL, "Approved", roles).to_stage == "Approved"
	)


def test_unknown_or_disabled_target_is_refused_before_the_entry_rule():
	with pytest.raises(UnknownStage):
		plan_funnel_change("Main sale", "Inquiry received", UPSELL, "Nope", ("Sales User",))
	disabled = Funnel("Off", UPSELL.stages, enabled=False)
	with pytest.raises(FunnelDisabled):
		plan_funnel_change("Main sale", "Inquiry received", disabled, "Upsold", ("Sales User",))


def test_a_handoff_acts_as_the_app_any_named_stage_role_limits_aside_but_fields_apply():
	move = plan_funnel_change("Main sale", "Contract signed", UPSELL, "Approved", (), as_app=True)
	assert move.to_stage == "Approved"
	with pytest.raises(MissingFields):
		plan_funnel_change("Main sale", "Contract signed", UPSELL, "Priced", (), {}, as_app=True)


def test_apply_move_computes_time_in_stage_and_never_negative():
	t0 = datetime(2026, 3, 1, 10, 0)
	state = CardState("Main sale", "Inquiry received", t0)
	move = plan_move(SALE, state.stage, "Need identified", (), VALUES)
	new_state, row = apply_move(state, move, t0 + timedelta(hours=2))
	assert row.seconds_in_from_stage == 7200
	assert new_state == CardState("Main sale", "Need identified", t0 + timedelta(hours=2))
	_, back = apply_move(new_state, plan_move(SALE, new_state.stage, "Inquiry received"), t0)
	assert back.seconds_in_from_stage == 0


def test_apply_entry_has_no_time_in_previous_stage():
	_, row = apply_move(CardState(), plan_entry(SALE), datetime(2026, 1, 1))
	assert (row.from_stage, row.to_stage, row.seconds_in_from_stage) == (None, "Inquiry received", 0)


@pytest.mark.parametrize(
	"value,missing",
	[(None, True), ("", True), ("  ", True), ([], True), ({}, True), (0, False), ("x", False), ([1], False)],
)
def test_is_missing(value, missing):
	assert is_missing(value) is missing
