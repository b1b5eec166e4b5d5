"""Date arithmetic of the funnel: stale limits and wake-up dates. Pure Python."""

from __future__ import annotations

from datetime import date, datetime, timedelta

STALE = 1
ESCALATED = 2


def stale_since_before(now: datetime, stale_after_days: int, level: int = STALE) -> datetime:
	"""Cards that entered their stage before this moment have reached `level`.

	Level 1 (stale) is past the stage's limit, level 2 (escalated) past twice the limit.
	"""
	if stale_after_days <= 0:
		raise ValueError("a stage without a stale limit never gets stale")
	if level not in (STALE, ESCALATED):
		raise ValueError(f"unknown stale level {level}")
	return now - timedelta(days=level * stale_after_days)


def stale_level(since: datetime | None, now: datetime, stale_after_days: int) -> int:
	"""0 = fresh, 1 = stale (longer than the limit), 2 = escalated (longer than twice the limit)."""
	if since is None or stale_after_days <= 0:
		return 0
	if since < stale_since_before(now, stale_after_days, ESCALATED):
		return ESCALATED
	if since < stale_since_before(now, stale_after_days, STALE):
		return STALE
	return 0


def wake_up_date(lost_on: date, default_days: int, requested: date | None = None) -> date:
	"""When a deferred card wakes up: the date the salesperson asked for, else `default_days` later.

	A requested date must lie after the day of the loss.
	"""
	if requested is not None:
		if requested <= lost_on:
			raise ValueError("the wake-up date must be after the day the deal was deferred")
		return requested
	if default_days <= 0:
		raise ValueError("the default wake-up delay must be at least one day")
	return lost_on + timedelta(days=default_days)


def is_due(today: date, when: date | None) -> bool:
	return when is not None and when <= today
