from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_suite.engine.repeat import (
	CYCLIC,
	DAYS,
	MONTHS,
	ONE_OFF,
	UNITS,
	WEEKS,
	Purchase,
	Reminder,
	add_interval,
	contact_key,
	next_occurrence_after,
	occurrence,
	one_off_due,
	plan_cancel,
	plan_one_off,
	site_today,
)

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
units = st.sampled_from(UNITS)
intervals = st.integers(min_value=1, max_value=400)


# --- month ends and leap years ---------------------------------------------------------------


@pytest.mark.parametrize(
	"anchor,k,expected",
	[
		(date(2025, 1, 31), 1, date(2025, 2, 28)),
		(date(2025, 1, 31), 2, date(2025, 3, 31)),
		(date(2025, 1, 31), 3, date(2025, 4, 30)),
		(date(2025, 1, 31), 4, date(2025, 5, 31)),
		(date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
		(date(2024, 1, 31), 2, date(2024, 3, 31)),  # back to the 31st, no drift to the 29th
		(date(2024, 2, 29), 12, date(2025, 2, 28)),
		(date(2024, 2, 29), 48, date(2028, 2, 29)),
		(date(2025, 12, 15), 1, date(2026, 1, 15)),  # year change
		(date(2025, 8, 30), 6, date(2026, 2, 28)),
	],
)
def test_monthly_occurrences_clamp_to_month_end_without_drift(anchor, k, expected):
	assert occurrence(anchor, k, 1, MONTHS) == expected


def test_quarterly_and_yearly_in_months():
	assert occurrence(date(2023, 11, 30), 1, 3, MONTHS) == date(2024, 2, 29)
	assert occurrence(date(2023, 11, 30), 2, 3, MONTHS) == date(2024, 5, 30)
	assert add_interval(date(2024, 2, 29), 12, MONTHS) == date(2025, 2, 28)


def test_days_and_weeks_cross_leap_day():
	assert add_interval(date(2024, 2, 28), 1, DAYS) == date(2024, 2, 29)
	assert add_interval(date(2023, 2, 28), 1, DAYS) == date(2023, 3, 1)
	assert add_interval(date(2024, 2, 22), 1, WEEKS) == date(2024, 2, 29)
	assert occurrence(date(2024, 1, 1), 52, 1, WEEKS) == date(2024, 12, 30)


@pytest.mark.parametrize("n,unit", [(0, DAYS), (-1, MONTHS), (1, "Years"), (1.5, DAYS), (True, DAYS)])
def test_bad_intervals_are_refused(n, unit):
	with pytest.raises(ValueError):
		add_interval(date(2025, 1, 1), n, unit)


def test_negative_occurrence_is_refused():
	with pytest.raises(ValueError):
		occurrence(date(2025, 1, 1), -1, 1, DAYS)


@given(dates, st.integers(min_value=0, max_value=200), st.integers(min_value=1, max_value=24))
def test_monthly_day_is_anchor_day_or_month_end(anchor, k, n):
	d = occurrence(anchor, k, n, MONTHS)
	months = (d.year - anchor.year) * 12 + d.month - anchor.month
	assert months == k * n
	if d.day != anchor.day:
		assert d.day < anchor.day
		assert (d + timedelta(days=1)).month != d.month  # clamped to the month's last day


@given(dates, st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=100), units)
def test_occurrences_strictly_increase(anchor, k, n, unit):
	assert occurrence(anchor, k + 1, n, unit) > occurrence(anchor, k, n, unit)


@given(dates, intervals, units)
def test_one_off_due_is_after_the_purchase(day, n, unit):
	assert one_off_due(day, n, unit) > day
	assert one_off_due(day, n, unit) == occurrence(day, 1, n, unit)


# --- cycles --------------------------------------------------------------------------------


def test_next_occurrence_after_skips_missed_occurrences():
	anchor = date(2025, 1, 31)
	assert next_occurrence_after(anchor, 1, MONTHS, date(2025, 1, 31)) == (1, date(2025, 2, 28))
	assert next_occurrence_after(anchor, 1, MONTHS, date(2025, 2, 28)) == (2, date(2025, 3, 31))
	assert next_occurrence_after(anchor, 1, MONTHS, date(2025, 6, 15)) == (5, date(2025, 6, 30))
	assert next_occurrence_after(anchor, 2, WEEKS, date(2025, 1, 1)) == (1, date(2025, 2, 14))
	assert next_occurrence_after(anchor, 10, DAYS, date(2025, 2, 10)) == (2, date(2025, 2, 20))


@given(dates, intervals, units, st.integers(min_value=-500, max_value=5000))
def test_next_occurrence_after_is_the_first_one_after_the_day(anchor, n, unit, offset):
	day = anchor + timedelta(days=offset)
	k, when = next_occurrence_after(anchor, n, unit, day)
	assert k >= 1
	assert when == occurrence(anchor, k, n, unit)
	assert when > day
	if k > 1:
		assert occurrence(anchor, k - 1, n, unit) <= day


def test_cyclic_differs_from_one_off():
	# a cyclic rule keeps its anchor; one-off reminders move with every purchase
	anchor = date(2025, 3, 31)
	cyclic = [occurrence(anchor, k, 1, MONTHS) for k in (1, 2, 3)]
	assert cyclic == [date(2025, 4, 30), date(2025, 5, 31), date(2025, 6, 30)]
	assert one_off_due(date(2025, 4, 30), 1, MONTHS) == date(2025, 5, 30)
	assert CYCLIC != ONE_OFF


# --- site time zone --------------------------------------------------------------------------


def test_site_today_follows_the_site_time_zone_around_midnight():
	moment = datetime(2025, 3, 31, 22, 30, tzinfo=timezone.utc)
	assert site_today(moment, "UTC") == date(2025, 3, 31)
	assert site_today(moment, "Europe/Kyiv") == date(2025, 4, 1)  # UTC+3 in summer time
	assert site_today(moment, "America/New_York") == date(2025, 3, 31)
	early = datetime(2025, 1, 1, 3, 0, tzinfo=timezone.utc)
	assert site_today(early, "America/Los_Angeles") == date(2024, 12, 31)
	assert site_today(early, "") == date(2025, 1, 1)
	assert site_today(datetime(2024, 2, 28, 21, 0, tzinfo=timezone.utc), "Europe/Moscow") == date(2024, 2, 29)


def test_site_today_needs_an_aware_moment():
	with pytest.raises(ValueError):
		site_today(datetime(2025, 1, 1), "UTC")


@given(
	st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2090, 1, 1)),
	st.sampled_from(["UTC", "Europe/Kyiv", "Asia/Tokyo", "America/Chicago", "Pacific/Kiritimati"]),
)
def test_site_today_is_within_a_day_of_utc(naive, tz):
	moment = naive.replace(tzinfo=timezone.utc)
	assert abs((site_today(moment, tz) - moment.date()).days) <= 1


# --- one-off planner ------------------------------------------------------------------------


def purchase(name, day):
	return Purchase("Sales Invoice", name, day)


def reminder(id_, p, status="Scheduled", superseded_by=None):
	return Reminder(id_, p, one_off_due(p.posting_date, 90, DAYS), status, superseded_by)


def test_first_purchase_schedules_a_reminder():
	plan = plan_one_off(purchase("SI-1", date(2025, 1, 10)), [], 90, DAYS)
	assert plan.schedule == date(2025, 4, 10)
	assert plan.supersede == []


def test_newer_purchase_supersedes_older_pending_reminders():
	old = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)))
	done = reminder("PC-0", purchase("SI-0", date(2024, 9, 1)), status="Done")
	plan = plan_one_off(purchase("SI-2", date(2025, 2, 1)), [old, done], 3, MONTHS)
	assert plan.schedule == date(2025, 5, 1)
	assert plan.supersede == ["PC-1"]


def test_same_day_purchase_supersedes_too():
	old = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)))
	plan = plan_one_off(purchase("SI-2", date(2025, 1, 10)), [old], 90, DAYS)
	assert plan.schedule == date(2025, 4, 10)
	assert plan.supersede == ["PC-1"]


def test_purchase_dated_before_a_newer_one_changes_nothing():
	newer = reminder("PC-2", purchase("SI-2", date(2025, 2, 1)))
	plan = plan_one_off(purchase("SI-1", date(2025, 1, 10)), [newer], 90, DAYS)
	assert plan.schedule is None
	assert plan.supersede == []
	assert plan.reason == "newer purchase"
	assert plan.newer == newer.source


def test_planner_is_idempotent_for_the_same_purchase():
	p = purchase("SI-1", date(2025, 1, 10))
	first = plan_one_off(p, [], 90, DAYS)
	again = plan_one_off(p, [Reminder("PC-1", p, first.schedule)], 90, DAYS)
	assert again.schedule is None and again.supersede == [] and again.reason == "duplicate"
	cancelled = plan_one_off(p, [Reminder("PC-1", p, first.schedule, "Cancelled")], 90, DAYS)
	assert cancelled.schedule is None


@given(
	st.lists(st.tuples(dates, st.booleans()), min_size=0, max_size=8),
	dates,
	intervals,
	units,
)
def test_after_a_plan_at_most_one_reminder_is_pending(history, day, n, unit):
	# whatever the customer's history, applying the plan leaves at most one pending reminder,
	# and it belongs to the customer's newest purchase
	reminders = []
	for i, (d, pending) in enumerate(history):
		reminders.append(Reminder(f"PC-{i}", purchase(f"SI-{i}", d), d, "Scheduled" if pending else "Done"))
	# keep the invariant the app maintains: at most one pending before the purchase
	pending = [r for r in reminders if r.status == "Scheduled"]
	for r in pending[:-1]:
		reminders[reminders.index(r)] = Reminder(r.id, r.source, r.due_date, "Cancelled")
	new = purchase("SI-new", day)
	plan = plan_one_off(new, reminders, n, unit)
	after = [r for r in reminders if r.status == "Scheduled" and r.id not in plan.supersede]
	if plan.schedule:
		after.append(Reminder("PC-new", new, plan.schedule))
	assert len(after) <= 1
	if after:
		assert after[0].source.posting_date == max(
			[r.source.posting_date for r in reminders if r.status == "Scheduled"] + [day]
		)
	# planning the same purchase again after applying the plan does nothing
	applied = [
		Reminder(r.id, r.source, r.due_date, "Cancelled", "PC-new") if r.id in plan.supersede else r
		for r in reminders
	]
	if plan.schedule:
		applied.append(Reminder("PC-new", new, plan.schedule))
		again = plan_one_off(new, applied, n, unit)
		assert again.schedule is None and again.supersede == []


# --- cancelling a purchase -------------------------------------------------------------------


def test_cancel_restores_the_superseded_reminder():
	a = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)), "Cancelled", superseded_by="PC-2")
	b = reminder("PC-2", purchase("SI-2", date(2025, 2, 1)))
	plan = plan_cancel(("Sales Invoice", "SI-2"), [a, b], lambda dt, dn: True)
	assert plan.cancel == ["PC-2"]
	assert plan.restore == ["PC-1"]


def test_cancel_does_not_restore_a_reminder_whose_purchase_was_cancelled_too():
	a = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)), "Cancelled", superseded_by="PC-2")
	b = reminder("PC-2", purchase("SI-2", date(2025, 2, 1)))
	plan = plan_cancel(("Sales Invoice", "SI-2"), [a, b], lambda dt, dn: dn != "SI-1")
	assert plan.cancel == ["PC-2"] and plan.restore == []


def test_cancel_after_the_reminder_was_done_changes_nothing():
	a = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)), "Cancelled", superseded_by="PC-2")
	b = reminder("PC-2", purchase("SI-2", date(2025, 2, 1)), "Done")
	plan = plan_cancel(("Sales Invoice", "SI-2"), [a, b], lambda dt, dn: True)
	assert plan.cancel == [] and plan.restore == []


def test_cancel_of_an_older_purchase_keeps_the_newer_reminder():
	a = reminder("PC-1", purchase("SI-1", date(2025, 1, 10)), "Cancelled", superseded_by="PC-2")
	b = reminder("PC-2", purchase("SI-2", date(2025, 2, 1)))
	plan = plan_cancel(("Sales Invoice", "SI-1"), [a, b], lambda dt, dn: True)
	assert plan.cancel == [] and plan.restore == []


def test_cancel_of_a_purchase_without_reminders():
	assert plan_cancel(("Sales Invoice", "SI-9"), [], lambda dt, dn: True).cancel == []


# --- keys ----------------------------------------------------------------------------------


def test_contact_keys_are_stable_and_distinct():
	k = contact_key("Rule", "CUST-1", "Cyclic", "Sales Invoice", "SI-1", 3)
	assert k == contact_key("Rule", "CUST-1", "Cyclic", "Sales Invoice", "SI-1", 3)
	assert k != contact_key("Rule", "CUST-1", "Cyclic", "Sales Invoice", "SI-1", 4)
	assert contact_key("a|b", "c") != contact_key("a", "b|c")
	assert len(k) == 40
