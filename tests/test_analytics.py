"""The analytics arithmetic: summary deltas, folding, period plans and report figures."""

from __future__ import annotations

import statistics
from collections import Counter as Multiset
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine import Funnel, Stage
from funnel_suite.engine.analytics import (
	Counters,
	MoveFact,
	aggregate,
	bottleneck,
	classify_exit,
	conversion,
	fold,
	is_silent,
	merge_deltas,
	month_start,
	move_deltas,
	overall_conversion,
	percentile,
	plan_period,
	stale_on,
	weighted,
)

SALE = Funnel(
	"Sale",
	(
		Stage("New", "Open", 10),
		Stage("Offer", "Open", 50),
		Stage("Contract", "Open", 80),
		Stage("Won", "Won", 100),
		Stage("Lost", "Lost", 0),
	),
)
SUPPLY = Funnel("Supply", (Stage("Planned", "Open"), Stage("Shipped", "Won"), Stage("Stopped", "Lost")))
FUNNELS = {"Sale": SALE, "Supply": SUPPLY}
T0 = datetime(2025, 1, 30, 10, 0)


def fact(to_stage, from_stage=None, when=T0, funnel="Sale", from_funnel=None, **dims):
	return MoveFact(
		funnel=funnel,
		to_stage=to_stage,
		from_stage=from_stage,
		from_funnel=from_funnel,
		moved_on=when,
		seconds_in_from_stage=dims.pop("seconds", 0),
		**dims,
	)


# --- deltas -------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"from_stage,to_stage,where",
	[
		("New", "Offer", "advanced"),
		("New", "Contract", "advanced"),
		("Contract", "Offer", "back"),
		("Offer", "Won", "won"),
		("New", "Lost", "lost"),
		("Gone stage", "Offer", "advanced"),
		("Offer", "Gone stage", "back"),
	],
)
def test_classify_exit(from_stage, to_stage, where):
	if from_stage == "Gone stage":
		# an unknown source stage cannot be ordered: only Won/Lost targets classify
		assert classify_exit(SALE, from_stage, to_stage) == "back"
	else:
		assert classify_exit(SALE, from_stage, to_stage) == where


def test_entry_counts_only_the_stage_entered():
	(key, counters), *rest = move_deltas(fact("New", company="C1", amount=100), FUNNELS)
	assert rest == []
	assert key == ("Sale", T0.date(), "New", "C1", "", "", "")
	assert counters == Counters(entered=1, entered_amount=100.0)


def test_forward_move_counts_entry_and_advanced_exit():
	deltas = dict(move_deltas(fact("Offer", "New", owner="a@x", seconds=3600), FUNNELS))
	assert deltas[("Sale", T0.date(), "Offer", "", "a@x", "", "")] == Counters(entered=1)
	assert deltas[("Sale", T0.date(), "New", "", "a@x", "", "")] == Counters(
		exited=1, advanced=1, seconds_out=3600
	)


def test_won_counts_as_advanced_and_won_lost_as_lost():
	won = dict(move_deltas(fact("Won", "Contract"), FUNNELS))[("Sale", T0.date(), "Contract", "", "", "", "")]
	lost = dict(move_deltas(fact("Lost", "Offer"), FUNNELS))[("Sale", T0.date(), "Offer", "", "", "", "")]
	assert (won.advanced, won.won, won.lost) == (1, 1, 0)
	assert (lost.advanced, lost.won, lost.lost) == (0, 0, 1)


def test_funnel_change_exits_the_old_funnel_only():
	deltas = dict(move_deltas(fact("Planned", "Won", funnel="Supply", from_funnel="Sale"), FUNNELS))
	assert deltas[("Supply", T0.date(), "Planned", "", "", "", "")] == Counters(entered=1)
	assert deltas[("Sale", T0.date(), "Won", "", "", "", "")] == Counters(exited=1)


def test_negative_seconds_never_reach_the_summary():
	deltas = dict(move_deltas(fact("Offer", "New", seconds=-50), FUNNELS))
	assert deltas[("Sale", T0.date(), "New", "", "", "", "")].seconds_out == 0


def test_month_grain_keys_on_the_first_of_the_month():
	(key, _), *_ = move_deltas(fact("New", when=datetime(2024, 2, 29, 23, 59)), FUNNELS, grain="month")
	assert key[1] == date(2024, 2, 1)


# --- property: incremental == recomputed ----------------------------------------------------

STAGES = {"Sale": [s.name for s in SALE.stages] + ["Renamed away"], "Supply": [s.name for s in SUPPLY.stages]}
DIM = st.sampled_from(["", "A", "B"])


@st.composite
def card_histories(draw):
	"""Valid per-card move chains (each move starts where the last ended), interleaved in time."""
	facts = []
	for _card in range(draw(st.integers(0, 6))):
		funnel = draw(st.sampled_from(["Sale", "Supply"]))
		stage = None
		when = T0 + timedelta(hours=draw(st.integers(0, 24 * 400)))
		dims = {
			"company": draw(DIM),
			"owner": draw(DIM),
			"source": draw(DIM),
			"territory": draw(DIM),
			"amount": draw(st.sampled_from([0, 10.5, 1000])),
		}
		for _move in range(draw(st.integers(1, 6))):
			target_funnel = draw(st.sampled_from([funnel, funnel, "Sale", "Supply"]))
			target = draw(st.sampled_from(STAGES[target_funnel]))
			gap = draw(st.integers(0, 24 * 90))
			when = when + timedelta(hours=gap)
			facts.append(
				MoveFact(
					funnel=target_funnel,
					to_stage=target,
					from_stage=stage,
					from_funnel=funnel if stage and target_funnel != funnel else None,
					moved_on=when,
					seconds_in_from_stage=gap * 3600 if stage else 0,
					**dims,
				)
			)
			funnel, stage = target_funnel, target
	draw(st.randoms()).shuffle(facts)
	return facts, sum(1 for f in facts if f.from_stage is None)


def _as_tuples(summary):
	return {k: v.as_tuple() for k, v in summary.items() if not v.is_zero()}


@settings(max_examples=150, deadline=None)
@given(card_histories(), st.integers(1, 5))
def test_incremental_updates_equal_the_recomputation(history, batch):
	"""Applying each move's deltas as it happens (in batches of merged upserts) gives the same
	summary as recomputing it from the whole log, for both grains."""
	facts = history[0]
	for grain in ("day", "month", "company_day", "company_month"):
		live: dict = {}
		for start in range(0, len(facts), batch):
			chunk = [d for f in facts[start : start + batch] for d in move_deltas(f, FUNNELS, grain)]
			fold(live, merge_deltas(chunk))
		assert _as_tuples(live) == _as_tuples(aggregate(facts, FUNNELS, grain))


@settings(max_examples=100, deadline=None)
@given(card_histories())
def test_monthly_summary_is_the_daily_summary_rolled_up(history):
	facts = history[0]
	daily = aggregate(facts, FUNNELS, "day")
	rolled: dict = {}
	for (funnel, day, *rest), counters in daily.items():
		rolled.setdefault((funnel, month_start(day), *rest), Counters()).add(counters)
	assert _as_tuples(rolled) == _as_tuples(aggregate(facts, FUNNELS, "month"))


@settings(max_examples=100, deadline=None)
@given(card_histories())
def test_company_grains_are_the_full_grains_rolled_up_over_the_other_dimensions(history):
	facts = history[0]
	for full, company_only in (("day", "company_day"), ("month", "company_month")):
		rolled: dict = {}
		for (funnel, period, stage, company, *_rest), counters in aggregate(facts, FUNNELS, full).items():
			rolled.setdefault((funnel, period, stage, company, "", "", ""), Counters()).add(counters)
		assert _as_tuples(rolled) == _as_tuples(aggregate(facts, FUNNELS, company_only))


def test_unknown_grain_is_refused():
	with pytest.raises(ValueError):
		move_deltas(fact("New"), FUNNELS, grain="week")


@settings(max_examples=100, deadline=None)
@given(card_histories())
def test_entered_minus_exited_is_what_stays(history):
	"""Every card enters once more than it leaves: summed over all stages, cards in minus cards
	out is the number of cards, and no stage ever shows more exits than entries."""
	facts, cards = history
	summary = aggregate(facts, FUNNELS)
	net = Multiset()
	for (funnel, _day, stage, *_), c in summary.items():
		net[(funnel, stage)] += c.entered - c.exited
	assert all(v >= 0 for v in net.values())
	assert sum(net.values()) == cards


# --- periods ------------------------------------------------------------------------------


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 1200))
def test_period_plan_covers_every_day_once(start, length):
	end = start + timedelta(days=length)
	plan = plan_period(start, end)
	covered = Multiset()
	for a, b in plan.days:
		assert a <= b
		for n in range((b - a).days + 1):
			covered[a + timedelta(days=n)] += 1
	if plan.months:
		first, last = plan.months
		assert first.day == 1 and last.day == 1
		month = first
		while month <= last:
			nxt = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
			for n in range((nxt - month).days):
				covered[month + timedelta(days=n)] += 1
			month = nxt
	expected = {start + timedelta(days=n) for n in range(length + 1)}
	assert set(covered) == expected
	assert set(covered.values()) == {1}
	assert len(plan.days) <= 2


def test_period_plan_examples():
	assert plan_period(date(2025, 1, 1), date(2025, 12, 31)).months == (date(2025, 1, 1), date(2025, 12, 1))
	assert plan_period(date(2025, 1, 1), date(2025, 12, 31)).days == ()
	p = plan_period(date(2024, 1, 15), date(2024, 3, 10))
	assert p.months == (date(2024, 2, 1), date(2024, 2, 1))
	assert p.days == ((date(2024, 1, 15), date(2024, 1, 31)), (date(2024, 3, 1), date(2024, 3, 10)))
	assert plan_period(date(2024, 2, 3), date(2024, 2, 20)).months is None
	assert plan_period(date(2024, 2, 1), date(2024, 2, 29)).months == (date(2024, 2, 1), date(2024, 2, 1))
	with pytest.raises(ValueError):
		plan_period(date(2024, 2, 2), date(2024, 2, 1))


# --- figures ------------------------------------------------------------------------------


def test_conversion_figures():
	counters = {
		"New": Counters(entered=10, exited=8, advanced=6, lost=2),
		"Offer": Counters(entered=6, exited=5, advanced=4, lost=1),
		"Contract": Counters(entered=4, exited=3, advanced=3, won=3),
		"Won": Counters(entered=3),
		"Lost": Counters(entered=3),
		"Old stage": Counters(entered=1, exited=1),
	}
	rows = conversion(SALE, counters)
	assert [r.stage for r in rows] == ["New", "Offer", "Contract", "Won", "Lost", "Old stage"]
	assert [r.conversion_to_next for r in rows] == [60.0, 66.67, 75.0, None, None, None]
	assert [r.conversion_from_entry for r in rows] == [100.0, 60.0, 40.0, 30.0, 30.0, 10.0]
	assert overall_conversion(rows) == 30.0


def test_conversion_without_data_has_no_ratios():
	rows = conversion(SALE, {})
	assert all(r.entered == 0 and r.conversion_to_next is None for r in rows)
	assert overall_conversion(rows) is None


def test_stage_names_match_case_and_spaces_insensitively():
	rows = conversion(SALE, {" new ": Counters(entered=2)})
	assert rows[0].stage == "New" and rows[0].entered == 2


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=60))
def test_percentile_agrees_with_statistics(values):
	assert percentile(values, 0.5) == pytest.approx(statistics.median(values))
	if len(values) > 1:
		# statistics' "inclusive" method is the same linear interpolation
		assert percentile(values, 0.9) == pytest.approx(
			statistics.quantiles(values, n=10, method="inclusive")[-1]
		)
	assert min(values) <= percentile(values, 0.9) <= max(values)


def test_percentile_examples():
	assert percentile([], 0.5) is None
	assert percentile([7], 0.9) == 7
	assert percentile([1, 2, 3, 4], 0.5) == 2.5
	assert percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_bottleneck_is_the_open_stage_with_the_longest_median():
	assert bottleneck(SALE, {"New": 5, "Offer": 50, "Contract": 20, "Lost": 500}) == "Offer"
	assert bottleneck(SALE, {}) is None


def test_weighted_and_stale_on():
	assert weighted(1000, 25) == 250.0
	assert weighted(None, 50) == 0
	assert stale_on(T0, 3) == T0 + timedelta(days=3)
	assert stale_on(T0, 0) is None
	assert stale_on(None, 3) is None


def test_silence():
	now = T0 + timedelta(days=10)
	assert is_silent(T0, None, now, 5)
	assert not is_silent(T0 + timedelta(days=6), None, now, 5)
	assert not is_silent(T0, None, now, 0)
	assert not is_silent(None, None, now, 5)
	# no touch at all: counted from when the card entered its stage
	assert is_silent(None, T0, now, 7)
	assert not is_silent(T0 - timedelta(days=100), now - timedelta(days=1), now, 7)


@settings(max_examples=100, deadline=None)
@given(card_histories())
def test_grouped_log_rows_give_the_same_counters_as_single_moves(history):
	"""The exact (permission-joined) path groups the log by funnels, stages and dimensions and
	scales; per stage it must agree with counting move by move."""
	from funnel_suite.engine.analytics import grouped_deltas

	facts = history[0]
	groups: dict = {}
	for f in facts:
		key = (f.funnel, f.from_funnel, f.from_stage, f.to_stage, f.company, f.owner, f.source, f.territory)
		count, amount, seconds = groups.get(key, (0, 0.0, 0))
		groups[key] = (count + 1, amount + f.amount, seconds + max(f.seconds_in_from_stage, 0))
	single: dict = {}
	grouped: dict = {}
	for f in facts:
		for (f_name, _p, stage, *_), c in move_deltas(f, FUNNELS):
			single.setdefault((f_name, stage), Counters()).add(c)
	for (funnel, from_funnel, from_stage, to_stage, *dims), (count, amount, seconds) in groups.items():
		fact = MoveFact(funnel, to_stage, T0, from_stage, from_funnel, seconds, *dims, amount=amount)
		for (f_name, _p, stage, *_), c in grouped_deltas(fact, count, FUNNELS):
			grouped.setdefault((f_name, stage), Counters()).add(c)
	assert _as_tuples(grouped) == _as_tuples(single)
