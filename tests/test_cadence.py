from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_suite.engine import cadence as c
from funnel_suite.engine.cadence import CadenceError, Step, StopFlags

T0 = datetime(2026, 2, 27, 22, 30)


def email(wait=1, unit=c.DAYS):
	return Step(wait, unit, c.EMAIL, email_template="Welcome")


def test_wait_delta_hours_and_days():
	assert c.wait_delta(0, c.HOURS) == timedelta(0)
	assert c.wait_delta(5, c.HOURS) == timedelta(hours=5)
	assert c.wait_delta(2, c.DAYS) == timedelta(days=2)
	with pytest.raises(CadenceError) as err:
		c.wait_delta(-1, c.DAYS)
	assert err.value.code == "negative_wait"
	with pytest.raises(CadenceError):
		c.wait_delta(1, "Weeks")


def test_planned_due_times_are_cumulative_and_cross_month_and_leap_day():
	steps = [email(0, c.HOURS), email(2, c.HOURS), email(1), email(30)]
	due = c.planned_due_times(T0, steps)
	assert due == [
		T0,
		datetime(2026, 2, 28, 0, 30),
		datetime(2026, 3, 1, 0, 30),
		datetime(2026, 3, 31, 0, 30),
	]
	leap = c.planned_due_times(datetime(2028, 2, 28, 12, 0), [email(1), email(1)])
	assert leap == [datetime(2028, 2, 29, 12, 0), datetime(2028, 3, 1, 12, 0)]


@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(c.WAIT_UNITS)), min_size=1, max_size=8))
def test_planned_due_times_never_go_back(waits):
	steps = [Step(v, u, c.EMAIL, email_template="x") for v, u in waits]
	due = c.planned_due_times(T0, steps)
	assert len(due) == len(steps)
	assert all(a <= b for a, b in zip([T0, *due], due, strict=False))
	assert due[-1] - T0 == sum((c.wait_delta(v, u) for v, u in waits), timedelta(0))


def test_late_finish_pushes_the_rest_later_never_earlier():
	planned = datetime(2026, 1, 1, 10)
	rest = [datetime(2026, 1, 2, 10), datetime(2026, 1, 5, 10)]
	late = c.shift_after_finish(planned + timedelta(minutes=35), planned, rest)
	assert late == [r + timedelta(minutes=35) for r in rest]
	assert c.shift_after_finish(planned - timedelta(hours=1), planned, rest) == rest
	assert c.shift_after_finish(planned, planned, rest) == rest


def test_retry_schedule_three_attempts():
	assert c.retry_at(1, T0) == T0 + timedelta(minutes=5)
	assert c.retry_at(2, T0) == T0 + timedelta(minutes=30)
	assert c.retry_at(3, T0) is None
	assert c.retry_at(1, T0, max_attempts=1) is None
	assert c.retry_at(4, T0, max_attempts=6) == T0 + timedelta(minutes=30)
	assert c.retry_at(1, T0, max_attempts=0) == T0 + timedelta(minutes=5)  # 0 = the default
	with pytest.raises(ValueError):
		c.retry_at(0, T0)


@given(st.integers(1, 10), st.integers(1, 20))
def test_retries_stop_at_max_attempts(max_attempts, made):
	result = c.retry_at(made, T0, max_attempts)
	assert (result is None) == (made >= max_attempts)
	if result is not None:
		assert result > T0


@pytest.mark.parametrize(
	"event,flags,reason",
	[
		(c.REPLY, StopFlags(), "Reply received"),
		(c.REPLY, StopFlags(on_reply=False), None),
		(c.WON, StopFlags(), "Card won"),
		(c.LOST, StopFlags(), "Card lost"),
		(c.LOST, StopFlags(on_won_or_lost=False), None),
		(c.STAGE_EXIT, StopFlags(), "Card left the stage"),
		(c.STAGE_EXIT, StopFlags(on_stage_exit=False), None),
		(c.DISABLED, StopFlags(False, False, False), "Cadence disabled"),
	],
)
def test_stop_reason(event, flags, reason):
	assert c.stop_reason(event, flags) == reason


def test_unknown_event_is_refused():
	with pytest.raises(ValueError):
		c.stop_reason("bounced", StopFlags())


def test_stop_skips_only_queued_steps():
	assert c.steps_to_skip([c.SENT, c.FAILED, c.QUEUED, c.QUEUED]) == [2, 3]
	assert c.steps_to_skip([c.SENT, c.SKIPPED]) == []


def test_enrollment_status():
	assert c.enrollment_status([c.SENT, c.QUEUED]) == c.ACTIVE
	assert c.enrollment_status([c.SENT, c.FAILED, c.SKIPPED]) == c.COMPLETED


def test_stage_event():
	assert c.stage_event("Won") == c.WON
	assert c.stage_event("Lost") == c.LOST
	assert c.stage_event("Open") is None


def test_validate_steps_names_row_and_field():
	steps = [
		Step(-1, c.DAYS, c.EMAIL, email_template="T"),
		Step(1, c.HOURS, c.EMAIL),
		Step(1, c.DAYS, c.SMS),
		Step(1, c.DAYS, c.WEBHOOK),
		Step(1, "Weeks", "Fax"),
		Step(9999, c.DAYS, c.TELEGRAM, message="hi"),
	]
	found = [(p.code, p.row, p.field) for p in c.validate_steps(steps)]
	assert found == [
		("negative_wait", 1, "wait_value"),
		("missing", 2, "email_template"),
		("missing", 3, "message"),
		("missing", 4, "webhook"),
		("missing", 4, "body_template"),
		("unknown_unit", 5, "wait_unit"),
		("unknown_channel", 5, "channel"),
		("wait_too_long", 6, "wait_value"),
	]
	assert [p.code for p in c.validate_steps([])] == ["no_steps"]
	assert c.validate_steps([email(), Step(0, c.HOURS, c.WEBHOOK, webhook="W", body_template="{}")]) == []


def test_check_json_body():
	assert c.check_json_body('{"a": 1}') == {"a": 1}
	with pytest.raises(CadenceError) as err:
		c.check_json_body('{"a": }')
	assert err.value.code == "bad_json" and err.value.field == "body_template"


def test_mask_secret():
	text = "HTTPConnectionPool: /bot123:ABC/sendMessage failed"
	assert c.mask_secret(text, "123:ABC", None, "") == "HTTPConnectionPool: /bot***/sendMessage failed"


def test_sample_context_has_every_name():
	ctx = c.sample_context({"title": "X"})
	assert (
		ctx["doc"]["title"] == "X"
		and ctx["doc"]["first_name"] == "sample first_name"
		and {"funnel", "stage", "cadence", "step", "enrollment"} <= set(ctx)
	)
