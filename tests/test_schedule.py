from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_suite.engine.schedule import (
	ESCALATED,
	STALE,
	is_due,
	stale_level,
	stale_since_before,
	wake_up_date,
)

NOW = datetime(2026, 3, 1, 9, 0)


@pytest.mark.parametrize(
	"days_in_stage,limit,level",
	[
		(0, 3, 0),
		(3, 3, 0),
		(3.01, 3, STALE),
		(6, 3, STALE),
		(6.01, 3, ESCALATED),
		(40, 3, ESCALATED),
		(100, 0, 0),
	],
)
def test_stale_level(days_in_stage, limit, level):
	assert stale_level(NOW - timedelta(days=days_in_stage), NOW, limit) == level


def test_stale_level_without_a_start_or_limit():
	assert stale_level(None, NOW, 3) == 0
	with pytest.raises(ValueError):
		stale_since_before(NOW, 0)
	with pytest.raises(ValueError):
		stale_since_before(NOW, 3, level=3)


def test_thresholds_across_month_end_and_leap_day():
	assert stale_since_before(datetime(2024, 3, 1, 12), 1) == datetime(2024, 2, 29, 12)
	assert stale_since_before(datetime(2024, 3, 1, 12), 1, ESCALATED) == datetime(2024, 2, 28, 12)


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=365))
def test_level_is_monotonic_in_time_spent(minutes, limit):
	earlier = stale_level(NOW - timedelta(minutes=minutes), NOW, limit)
	later = stale_level(NOW - timedelta(minutes=minutes + 60 * 24), NOW, limit)
	assert later >= earlier


def test_wake_up_date():
	lost = date(2026, 1, 31)
	assert wake_up_date(lost, 30) == date(2026, 3, 2)
	assert wake_up_date(date(2024, 2, 28), 1) == date(2024, 2, 29)
	assert wake_up_date(lost, 30, date(2026, 6, 1)) == date(2026, 6, 1)
	with pytest.raises(ValueError):
		wake_up_date(lost, 30, lost)
	with pytest.raises(ValueError):
		wake_up_date(lost, 0)


def test_is_due():
	assert is_due(date(2026, 3, 2), date(2026, 3, 2))
	assert is_due(date(2026, 3, 3), date(2026, 3, 2))
	assert not is_due(date(2026, 3, 1), date(2026, 3, 2))
	assert not is_due(date(2026, 3, 1), None)
