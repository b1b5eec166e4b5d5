"""Funnel analytics arithmetic: what one logged move adds to the pre-aggregated summaries, how
summaries fold, which parts of a period the daily and the monthly summary answer, and the report
figures computed from stage counters (conversion, velocity percentiles, weighted forecast).

Pure Python: the Frappe side stores the counters and asks these functions what to store.

A move is counted twice:
- the stage the card enters gets ``entered`` (+ the card's amount in ``entered_amount``);
- the stage the card leaves gets ``exited`` and the seconds it spent there, and, by where it
  went: ``advanced`` (a later Open stage or a Won stage of the same funnel), ``won``, ``lost``.
  A card that leaves for another funnel only counts as ``exited`` in the funnel it left.
Stage order and kinds come from the funnel's current definition (the same one for the live
updates and for a rebuild, so both give the same summary).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from funnel_suite.engine.definition import KIND_LOST, KIND_OPEN, KIND_WON, Funnel, normalize_stage_name

# The dimensions every summary row carries (besides funnel, period and stage).
DIMENSIONS = ("company", "owner", "source", "territory")


@dataclass(frozen=True)
class MoveFact:
	"""One logged move with the card's dimensions at the moment it moved."""

	funnel: str
	to_stage: str
	moved_on: dt.datetime
	from_stage: str | None = None
	from_funnel: str | None = None
	seconds_in_from_stage: int = 0
	company: str = ""
	owner: str = ""
	source: str = ""
	territory: str = ""
	amount: float = 0.0

	@property
	def left_funnel(self) -> str:
		return self.from_funnel or self.funnel


@dataclass
class Counters:
	entered: int = 0
	entered_amount: float = 0.0
	exited: int = 0
	advanced: int = 0
	won: int = 0
	lost: int = 0
	seconds_out: int = 0

	def add(self, other: Counters) -> Counters:
		for f in _COUNTER_FIELDS:
			setattr(self, f, getattr(self, f) + getattr(other, f))
		return self

	def as_tuple(self) -> tuple:
		return tuple(
			round(v, 6) if isinstance(v, float) else v for v in (getattr(self, f) for f in _COUNTER_FIELDS)
		)

	def is_zero(self) -> bool:
		return not any(getattr(self, f) for f in _COUNTER_FIELDS)


_COUNTER_FIELDS = tuple(f.name for f in fields(Counters))
COUNTER_FIELDS = _COUNTER_FIELDS

# (funnel, period start, stage, company, owner, source, territory)
Key = tuple


def month_start(day: dt.date) -> dt.date:
	return day.replace(day=1)


def _clean(value) -> str:
	return value or ""


# The summary keeps four grains: per day and per month with every dimension (for filters and
# grouping by owner, source or territory), and per day and per month by company only — a few
# hundred rows per funnel and year, which is what most report runs read.
GRAINS = ("day", "month", "company_day", "company_month")
MONTHLY = frozenset({"month", "company_month"})
COMPANY_ONLY = frozenset({"company_day", "company_month"})


def key_for(funnel: str, day: dt.date, stage: str, fact: MoveFact, grain: str = "day") -> Key:
	if grain not in GRAINS:
		raise ValueError(f"unknown grain {grain!r}")
	period = month_start(day) if grain in MONTHLY else day
	if grain in COMPANY_ONLY:
		return (funnel, period, stage, _clean(fact.company), "", "", "")
	return (funnel, period, stage, *(_clean(getattr(fact, d)) for d in DIMENSIONS))


def classify_exit(funnel: Funnel | None, from_stage: str, to_stage: str) -> str:
	"""Where a card went when it left `from_stage` of `funnel` for `to_stage` of the same funnel:
	"won", "lost", "advanced" (a later open stage) or "back" (an earlier or unknown stage)."""
	if funnel is None:
		return "back"
	target = funnel.stage(to_stage)
	if target is None:
		return "back"
	if target.kind == KIND_WON:
		return "won"
	if target.kind == KIND_LOST:
		return "lost"
	order = {s.key: i for i, s in enumerate(funnel.stages)}
	source_index = order.get(normalize_stage_name(from_stage))
	if source_index is not None and order[target.key] > source_index:
		return "advanced"
	return "back"


def move_deltas(
	fact: MoveFact, funnels: Mapping[str, Funnel], grain: str = "day"
) -> list[tuple[Key, Counters]]:
	"""What one move adds to the summary of the given grain (one of GRAINS)."""
	day = fact.moved_on.date()
	deltas = [
		(
			key_for(fact.funnel, day, fact.to_stage, fact, grain),
			Counters(entered=1, entered_amount=float(fact.amount or 0)),
		)
	]
	if fact.from_stage:
		out = Counters(exited=1, seconds_out=max(int(fact.seconds_in_from_stage or 0), 0))
		if fact.left_funnel == fact.funnel:
			where = classify_exit(funnels.get(fact.funnel), fact.from_stage, fact.to_stage)
			if where in ("advanced", "won"):
				out.advanced = 1
			if where == "won":
				out.won = 1
			elif where == "lost":
				out.lost = 1
		deltas.append((key_for(fact.left_funnel, day, fact.from_stage, fact, grain), out))
	return deltas


def grouped_deltas(
	fact: MoveFact, count: int, funnels: Mapping[str, Funnel], grain: str = "day"
) -> list[tuple[Key, Counters]]:
	"""The deltas of `count` moves alike (same funnels, stages and dimensions), given as one fact
	whose amount and seconds are already the group's sums."""
	deltas = move_deltas(fact, funnels, grain)
	for _key, counters in deltas:
		for name in ("entered", "exited", "advanced", "won", "lost"):
			setattr(counters, name, getattr(counters, name) * count)
	return deltas


def fold(summary: dict[Key, Counters], deltas: Iterable[tuple[Key, Counters]]) -> dict[Key, Counters]:
	"""Add deltas into summary (in place) and return it."""
	for key, counters in deltas:
		summary.setdefault(key, Counters()).add(counters)
	return summary


def merge_deltas(deltas: Iterable[tuple[Key, Counters]]) -> list[tuple[Key, Counters]]:
	"""Deltas with equal keys added together (one upsert row per key)."""
	return list(fold({}, deltas).items())


def aggregate(
	facts: Iterable[MoveFact], funnels: Mapping[str, Funnel], grain: str = "day"
) -> dict[Key, Counters]:
	"""The whole summary recomputed from the log."""
	summary: dict[Key, Counters] = {}
	for fact in facts:
		fold(summary, move_deltas(fact, funnels, grain))
	return summary


# --- periods ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodPlan:
	"""Which summary answers which part of [from_date, to_date]: whole calendar months from the
	monthly summary, the ragged edges from the daily one."""

	months: tuple[dt.date, dt.date] | None  # first day of the first and of the last whole month
	days: tuple[tuple[dt.date, dt.date], ...]  # inclusive day ranges


def plan_period(from_date: dt.date, to_date: dt.date) -> PeriodPlan:
	if to_date < from_date:
		raise ValueError("to_date is before from_date")
	first_whole = from_date if from_date.day == 1 else _next_month(from_date)
	last_day_of_to_month = calendar.monthrange(to_date.year, to_date.month)[1]
	last_whole_start = month_start(to_date) if to_date.day == last_day_of_to_month else _prev_month(to_date)
	if first_whole > last_whole_start:
		return PeriodPlan(months=None, days=((from_date, to_date),))
	days = []
	if from_date < first_whole:
		days.append((from_date, first_whole - dt.timedelta(days=1)))
	after_months = _next_month(last_whole_start)
	if after_months <= to_date:
		days.append((after_months, to_date))
	return PeriodPlan(months=(first_whole, last_whole_start), days=tuple(days))


def _next_month(day: dt.date) -> dt.date:
	return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _prev_month(day: dt.date) -> dt.date:
	return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- report figures -----------------------------------------------------------------------


@dataclass
class StageFigures(Counters):
	"""A stage's counters for a period, with the conversion ratios the reports show."""

	stage: str = ""
	kind: str = ""
	conversion_to_next: float | None = None  # % of the cards that entered and moved on
	conversion_from_entry: float | None = None  # % of the cards that entered the funnel


def ratio(part: float, whole: float) -> float | None:
	return round(100.0 * part / whole, 2) if whole else None


def conversion(funnel: Funnel, counters_by_stage: Mapping[str, Counters]) -> list[StageFigures]:
	"""Stage rows in funnel order, then any stage of the period that the funnel no longer has.

	`conversion_to_next` = advanced / entered; `conversion_from_entry` = entered / entered the
	entry stage (for a Won stage: the funnel's overall conversion)."""
	by_key: dict[str, Counters] = {}
	names: dict[str, str] = {}
	for name, counters in counters_by_stage.items():
		key = normalize_stage_name(name)
		by_key.setdefault(key, Counters()).add(counters)
		names.setdefault(key, name)
	rows = []
	for stage in funnel.stages:
		c = by_key.pop(stage.key, Counters())
		rows.append(_figures(stage.name, stage.kind, c))
	for key, c in by_key.items():
		rows.append(_figures(names[key], "", c))
	entry = funnel.entry_stage
	entered_funnel = next((r.entered for r in rows if entry and r.stage == entry.name), 0)
	for row in rows:
		if row.kind == KIND_OPEN:
			row.conversion_to_next = ratio(row.advanced, row.entered)
		row.conversion_from_entry = ratio(row.entered, entered_funnel)
	return rows


def _figures(name: str, kind: str, c: Counters) -> StageFigures:
	return StageFigures(stage=name, kind=kind, **{f: getattr(c, f) for f in COUNTER_FIELDS})


def overall_conversion(figures: Sequence[StageFigures]) -> float | None:
	"""Won cards in the period as a % of the cards that entered the funnel in the period."""
	entry = next((r for r in figures if r.kind == KIND_OPEN), None)
	won = sum(r.entered for r in figures if r.kind == KIND_WON)
	return ratio(won, entry.entered if entry else 0)


def percentile(values: Sequence[float], q: float) -> float | None:
	"""Continuous percentile (linear interpolation between closest ranks), as SQL's
	PERCENTILE_CONT: q in [0, 1]."""
	if not values:
		return None
	ordered = sorted(values)
	position = q * (len(ordered) - 1)
	low = math.floor(position)
	high = math.ceil(position)
	if low == high:
		return float(ordered[low])
	return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bottleneck(funnel: Funnel, medians: Mapping[str, float | None]) -> str | None:
	"""The open stage where cards wait longest (highest median), None when nothing left one."""
	best, best_value = None, None
	for stage in funnel.stages:
		if stage.kind != KIND_OPEN:
			continue
		value = medians.get(stage.name)
		if value is not None and (best_value is None or value > best_value):
			best, best_value = stage.name, value
	return best


def weighted(amount: float, probability: float) -> float:
	return round(float(amount or 0) * float(probability or 0) / 100.0, 2)


def stale_on(stage_since: dt.datetime | None, stale_after_days: int) -> dt.datetime | None:
	"""When a card that entered a stage at stage_since becomes stale (None: never)."""
	if not stage_since or not stale_after_days or stale_after_days <= 0:
		return None
	return stage_since + dt.timedelta(days=int(stale_after_days))


def is_silent(last_touch: dt.datetime | None, since: dt.datetime | None, now: dt.datetime, days: int) -> bool:
	"""A customer has gone silent on a card when there was no touch (or, without any touch, no
	stage entry) for longer than the stage allows. 0 days = the stage sets no limit."""
	if not days or days <= 0:
		return False
	reference = max((t for t in (last_touch, since) if t), default=None)
	if reference is None:
		return False
	return now - reference > dt.timedelta(days=days)
