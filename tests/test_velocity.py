"""Stage Velocity histograms: bucket boundaries, percentiles read from buckets with their error
bound, merging, what a move adds and the rule choosing between histograms and the exact path."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine.analytics import percentile
from funnel_suite.engine.velocity import (
	EDGES,
	OVERFLOW,
	PER_DOUBLING,
	RELATIVE_ERROR,
	Histogram,
	bucket_bounds,
	bucket_of,
	exit_cells,
	histogram_dimension,
	merge_all,
	use_histograms,
	whole_seconds,
)

durations = st.lists(st.integers(min_value=0, max_value=400 * 86400), min_size=1, max_size=300)


def test_bucket_zero_holds_zero_seconds_only():
	assert bucket_of(0) == 0
	assert bucket_of(-5) == 0
	assert bucket_of(None) == 0
	assert bucket_of(1) == 1
	assert bucket_bounds(0) == (0.0, 1.0)


def test_edges_are_log_spaced_eight_per_doubling():
	for i in range(1, OVERFLOW):
		lower, upper = bucket_bounds(i)
		assert upper / lower == pytest.approx(2 ** (1 / PER_DOUBLING))
	# every power of two starts a bucket
	for exponent in range(0, 30):
		assert bucket_of(2**exponent) == 1 + PER_DOUBLING * exponent
		assert bucket_of(2**exponent - 1) < bucket_of(2**exponent) or exponent == 0


def test_overflow_bucket_holds_everything_longer():
	assert bucket_of(2**30) == OVERFLOW
	assert bucket_of(10**12) == OVERFLOW
	assert bucket_bounds(OVERFLOW)[1] == math.inf
	with pytest.raises(ValueError):
		bucket_bounds(OVERFLOW + 1)
	with pytest.raises(ValueError):
		bucket_bounds(-1)


@given(st.integers(min_value=0, max_value=2**31))
def test_a_duration_lies_in_its_bucket(seconds):
	lower, upper = bucket_bounds(bucket_of(seconds))
	assert lower <= seconds < upper
	lowest, highest = whole_seconds(bucket_of(seconds))
	assert lowest <= seconds <= highest


def test_buckets_are_ordered_and_disjoint():
	assert list(EDGES) == sorted(set(EDGES))
	previous_highest = -1
	for i in range(OVERFLOW):
		lowest, highest = whole_seconds(i)
		if lowest <= highest:
			assert lowest == previous_highest + 1
			previous_highest = highest


def test_the_stated_relative_error_bounds_every_bucket():
	assert RELATIVE_ERROR == pytest.approx(0.0433, abs=0.0001)
	for i in range(1, OVERFLOW):
		lowest, highest = whole_seconds(i)
		if lowest > highest:
			continue  # narrower than a second, holds no whole second
		middle, half = (lowest + highest) / 2, (highest - lowest) / 2
		assert half <= RELATIVE_ERROR * middle + 1e-12


def test_short_durations_are_exact():
	for seconds in range(16):
		estimate = Histogram.of([seconds]).percentile(0.5)
		assert estimate.value == seconds
		assert estimate.error == 0


def test_empty_histogram_has_no_figures():
	assert Histogram().percentile(0.5) is None
	assert Histogram().mean() is None
	with pytest.raises(ValueError):
		Histogram.of([1]).percentile(1.5)


@settings(max_examples=300, deadline=None)
@given(durations, st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
def test_percentile_within_the_stated_bound_of_the_exact_one(values, q):
	histogram = Histogram.of(values)
	exact = percentile(values, q)
	estimate = histogram.percentile(q)
	assert abs(estimate.value - exact) <= estimate.error + 1e-9
	assert estimate.error <= RELATIVE_ERROR * estimate.value + 1e-9


@given(durations)
def test_mean_is_exact(values):
	assert Histogram.of(values).mean() == pytest.approx(sum(values) / len(values))


def test_overflowing_percentile_says_it_is_unbounded():
	estimate = Histogram.of([2**31]).percentile(0.5)
	assert estimate.value == 2**30
	assert estimate.error == math.inf


def test_a_known_case():
	# 10 moves: 1 hour x4, 1 day x5, 30 days x1
	values = [3600] * 4 + [86400] * 5 + [30 * 86400]
	histogram = Histogram.of(values)
	median = histogram.percentile(0.5)
	assert abs(median.value - 86400) <= median.error
	assert median.error <= RELATIVE_ERROR * median.value
	p90 = histogram.percentile(0.9)
	exact = percentile(values, 0.9)  # 86400 + 0.1 * (30 days - 1 day)
	assert abs(p90.value - exact) <= p90.error
	assert histogram.mean() == sum(values) / 10
	assert histogram.count == 10


@given(durations, durations)
def test_merging_equals_counting_everything_at_once(left, right):
	merged = merge_all([Histogram.of(left), Histogram.of(right)])
	together = Histogram.of(left + right)
	assert merged.counts == together.counts
	assert merged.total_seconds == together.total_seconds
	assert merged.percentile(0.9) == together.percentile(0.9)


@given(durations)
def test_taking_counts_back_out_leaves_nothing(values):
	histogram = Histogram.of(values)
	for seconds in values:
		histogram.add(seconds, count=-1)
	assert histogram.counts == {}
	assert histogram.total_seconds == 0


def test_exit_cells_one_per_grain_and_dimension():
	cells = exit_cells(
		"F",
		"Proposal",
		datetime(2026, 3, 14, 10, 0),
		7200,
		{"company": "C1", "card_owner": "a@x", "source": "", "territory": "North"},
	)
	keys = {key for key, _bucket, _seconds in cells}
	assert len(cells) == len(keys) == 8
	assert ("F", "Day", date(2026, 3, 14), "Proposal", "C1", "", "") in keys
	assert ("F", "Month", date(2026, 3, 1), "Proposal", "C1", "card_owner", "a@x") in keys
	assert ("F", "Month", date(2026, 3, 1), "Proposal", "C1", "source", "") in keys
	assert ("F", "Day", date(2026, 3, 14), "Proposal", "C1", "territory", "North") in keys
	assert {bucket for _k, bucket, _s in cells} == {bucket_of(7200)}
	assert {seconds for _k, _b, seconds in cells} == {7200}


def test_exit_cells_clamp_negative_durations():
	cells = exit_cells("F", "S", datetime(2026, 1, 1), -30, {})
	assert {(bucket, seconds) for _k, bucket, seconds in cells} == {(0, 0)}
	assert {key[4] for key, _b, _s in cells} == {""}


def test_which_rows_answer_which_filters():
	assert histogram_dimension([], []) == ""
	assert histogram_dimension(["company"], ["company"]) == ""
	assert histogram_dimension(["card_owner"], []) == "card_owner"
	assert histogram_dimension(["company", "card_owner"], ["company"]) == "card_owner"
	assert histogram_dimension([], ["territory"]) == "territory"
	assert histogram_dimension(["territory"], ["territory"]) == "territory"
	assert histogram_dimension(["source", "territory"], []) is None
	assert histogram_dimension(["card_owner"], ["territory"]) is None


def test_exact_path_while_the_period_is_small():
	assert not use_histograms(0, 5000)
	assert not use_histograms(5000, 5000)
	assert use_histograms(5001, 5000)
