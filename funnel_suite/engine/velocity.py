"""Stage Velocity from duration histograms: fixed log-spaced buckets of the time a card spent in a
stage, what one move adds to them, and the mean, median and 90th percentile read back from them
with a stated error bound.

Pure Python: the Frappe side (`funnel_suite.funnel_analytics.velocity_buckets`) stores the
bucket counts and asks these functions which buckets a move fills and what the counts say.

Buckets (whole seconds, as the move log keeps them):
- bucket 0 holds 0 seconds;
- bucket i (1 ≤ i < OVERFLOW) holds [2^((i-1)/8), 2^(i/8)) seconds — 8 buckets per doubling,
  each about 9 % wider than the one before, from 1 second to 2^30 seconds (34 years);
- bucket OVERFLOW holds everything longer.

A percentile is read as PERCENTILE_CONT reads it (linear interpolation between the two closest
ranks), with each of those two ranks taken at the middle of the whole seconds its bucket can hold.
The true value then lies within half that range of the estimate: at most ±4.3 % of the estimate
(±(r-1)/(r+1) with r = 2^(1/8)), exact for durations under 16 seconds. The mean is exact (the
buckets keep the sum of the seconds too).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

PER_DOUBLING = 8
MAX_EXPONENT = 30
OVERFLOW = 1 + PER_DOUBLING * MAX_EXPONENT
# EDGES[i] = the lower edge of bucket i (seconds)
EDGES: tuple[float, ...] = (0.0, *(2.0 ** ((i - 1) / PER_DOUBLING) for i in range(1, OVERFLOW + 1)))
# the largest relative error of a percentile read from buckets: ±(r - 1) / (r + 1)
RELATIVE_ERROR = (2 ** (1 / PER_DOUBLING) - 1) / (2 ** (1 / PER_DOUBLING) + 1)

# The dimensions a histogram row may carry besides the company: one at a time ("" = none).
DIMENSIONS = ("", "card_owner", "source", "territory")
GRAINS = ("Day", "Month")


def bucket_of(seconds: float) -> int:
	"""The bucket of a duration (negative durations count as 0 seconds)."""
	seconds = max(float(seconds or 0), 0.0)
	return min(bisect.bisect_right(EDGES, seconds) - 1, OVERFLOW)


def bucket_bounds(index: int) -> tuple[float, float]:
	"""[lower, upper) edges of a bucket in seconds (upper = inf for the overflow bucket)."""
	if not 0 <= index <= OVERFLOW:
		raise ValueError(f"no bucket {index}")
	return EDGES[index], (EDGES[index + 1] if index < OVERFLOW else math.inf)


def whole_seconds(index: int) -> tuple[int, float]:
	"""The smallest and the largest whole number of seconds the bucket can hold (largest = inf
	for the overflow bucket; a bucket narrower than a second may hold none: lowest > highest)."""
	lower, upper = bucket_bounds(index)
	return math.ceil(lower), (math.ceil(upper) - 1 if upper != math.inf else math.inf)


@dataclass(frozen=True)
class Estimate:
	value: float
	error: float  # the true value lies in [value - error, value + error] (inf: unbounded)


@dataclass
class Histogram:
	"""Counts of durations per bucket and the sum of the durations."""

	counts: dict[int, int] = field(default_factory=dict)
	total_seconds: int = 0

	@classmethod
	def of(cls, durations: Iterable[float]) -> Histogram:
		histogram = cls()
		for seconds in durations:
			histogram.add(seconds)
		return histogram

	def add(self, seconds: float, count: int = 1) -> Histogram:
		self.add_bucket(bucket_of(seconds), count, max(int(seconds or 0), 0) * count)
		return self

	def add_bucket(self, index: int, count: int, total_seconds: int) -> Histogram:
		if count:
			self.counts[index] = self.counts.get(index, 0) + int(count)
			if not self.counts[index]:
				del self.counts[index]
		self.total_seconds += int(total_seconds or 0)
		return self

	def merge(self, other: Histogram) -> Histogram:
		for index, count in other.counts.items():
			self.add_bucket(index, count, 0)
		self.total_seconds += other.total_seconds
		return self

	@property
	def count(self) -> int:
		return sum(self.counts.values())

	def mean(self) -> float | None:
		"""Exact: the sum of the durations over their number."""
		count = self.count
		return self.total_seconds / count if count else None

	def _rank_bucket(self, rank: int) -> int:
		seen = 0
		for index in sorted(self.counts):
			seen += self.counts[index]
			if rank < seen:
				return index
		raise ValueError(f"rank {rank} outside the histogram")

	def percentile(self, q: float) -> Estimate | None:
		"""The q-th quantile (q in [0, 1]) as PERCENTILE_CONT computes it, with its error bound."""
		if not 0 <= q <= 1:
			raise ValueError("q must lie in [0, 1]")
		count = self.count
		if not count:
			return None
		position = q * (count - 1)
		low_rank = math.floor(position)
		fraction = position - low_rank
		low = _middle(self._rank_bucket(low_rank))
		if not fraction:
			return low
		high = _middle(self._rank_bucket(low_rank + 1))
		return Estimate(
			value=low.value + (high.value - low.value) * fraction,
			error=low.error * (1 - fraction) + high.error * fraction,
		)


def _middle(index: int) -> Estimate:
	lowest, highest = whole_seconds(index)
	if highest == math.inf:
		return Estimate(value=float(lowest), error=math.inf)
	return Estimate(value=(lowest + highest) / 2, error=(highest - lowest) / 2)


def merge_all(histograms: Iterable[Histogram]) -> Histogram:
	merged = Histogram()
	for histogram in histograms:
		merged.merge(histogram)
	return merged


# --- what a move adds ---------------------------------------------------------------------

# (funnel, grain, period start, stage, company, dimension, dimension value)
CellKey = tuple


def _period(day: dt.date, grain: str) -> dt.date:
	return day.replace(day=1) if grain == "Month" else day


def exit_cells(
	funnel: str,
	stage: str,
	moved_on: dt.datetime,
	seconds: float,
	dims: Mapping[str, str],
) -> list[tuple[CellKey, int, int]]:
	"""The histogram cells one move adds to when a card leaves `stage` of `funnel` after
	`seconds` there: (cell key, bucket, whole seconds) for each grain and each dimension (the
	company alone, then with the owner, the source, the territory). `dims` holds the card's
	company, card_owner, source and territory when it moved."""
	seconds = max(int(seconds or 0), 0)
	bucket = bucket_of(seconds)
	company = dims.get("company") or ""
	day = moved_on.date()
	return [
		(
			(funnel, grain, _period(day, grain), stage, company, dim, (dims.get(dim) or "") if dim else ""),
			bucket,
			seconds,
		)
		for grain in GRAINS
		for dim in DIMENSIONS
	]


def histogram_dimension(filtered: Iterable[str], scoped: Iterable[str]) -> str | None:
	"""Which histogram rows answer a report whose filters set the columns `filtered` and whose
	user scope restricts the columns `scoped` (both among company, card_owner, source,
	territory): "" for the company-only rows, one of card_owner / source / territory when the
	rows carry it, None when more than one of those is asked for (the exact path answers)."""
	wanted = {c for c in (*filtered, *scoped) if c != "company"}
	if not wanted:
		return ""
	if len(wanted) == 1 and (dim := wanted.pop()) in DIMENSIONS:
		return dim
	return None


def use_histograms(exits_in_period: int, exact_limit: int) -> bool:
	"""The rule of the report: the exact path (percentiles from the move log) while the period
	holds at most `exact_limit` moves out of the funnel's stages — reading them stays cheap —
	and the histograms above that."""
	return exits_in_period > exact_limit
