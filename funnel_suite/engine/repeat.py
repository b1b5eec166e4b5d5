"""Schedule arithmetic of repeat-sale rules. Pure Python (no frappe).

- `add_interval` / `occurrence`: N days, weeks or months after an anchor date. Months keep the
  anchor's day of month and clamp it to the month's end (Jan 31 -> Feb 28/29 -> Mar 31): every
  occurrence is computed from the ORIGINAL anchor, so the day never drifts to the 28th.
- `next_occurrence_after`: the first occurrence of a cycle strictly after a day (a job that
  missed days does not pile up the missed contacts).
- `plan_one_off`: what a new qualifying purchase does to the customer's pending one-off
  reminders of a rule (a newer purchase supersedes them; an older one changes nothing).
- `plan_cancel`: what cancelling a purchase undoes.
- `site_today`: the site's local date for an aware UTC moment ("due today" follows the site).
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS, WEEKS, MONTHS = "Days", "Weeks", "Months"
UNITS = (DAYS, WEEKS, MONTHS)
ONE_OFF, CYCLIC = "One-off", "Cyclic"
MODES = (ONE_OFF, CYCLIC)


def _check(n: int, unit: str) -> None:
	if unit not in UNITS:
		raise ValueError(f"unknown interval unit {unit!r}")
	if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
		raise ValueError("the interval must be a whole number greater than zero")


def _add_months(anchor: date, months: int) -> date:
	index = anchor.year * 12 + (anchor.month - 1) + months
	year, month = divmod(index, 12)
	month += 1
	if not 1 <= year <= 9999:
		raise ValueError("date out of range")
	return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def add_interval(anchor: date, n: int, unit: str) -> date:
	"""`anchor` + n units (n > 0)."""
	_check(n, unit)
	return occurrence(anchor, 1, n, unit)


def occurrence(anchor: date, k: int, n: int, unit: str) -> date:
	"""The k-th occurrence (k >= 0; 0 is the anchor itself) of a cycle of n units from `anchor`."""
	_check(n, unit)
	if k < 0:
		raise ValueError("occurrences are counted from 0")
	if unit == DAYS:
		return anchor + timedelta(days=k * n)
	if unit == WEEKS:
		return anchor + timedelta(weeks=k * n)
	return _add_months(anchor, k * n)


def next_occurrence_after(anchor: date, n: int, unit: str, day: date) -> tuple[int, date]:
	"""(k, date) of the first occurrence k >= 1 strictly after `day`."""
	_check(n, unit)
	if day < anchor:
		return 1, occurrence(anchor, 1, n, unit)
	if unit == MONTHS:
		months = (day.year - anchor.year) * 12 + day.month - anchor.month
		k = max(1, months // n)
	else:
		step = n if unit == DAYS else 7 * n
		k = max(1, (day - anchor).days // step)
	# the estimate is at most one step off in either direction
	while k > 1 and occurrence(anchor, k - 1, n, unit) > day:
		k -= 1
	while occurrence(anchor, k, n, unit) <= day:
		k += 1
	return k, occurrence(anchor, k, n, unit)


def one_off_due(purchase_date: date, n: int, unit: str) -> date:
	"""When a one-off reminder is due: n units after the purchase."""
	return add_interval(purchase_date, n, unit)


def site_today(now_utc: datetime, tz_name: str | None) -> date:
	"""The site's local date at an aware UTC moment (an empty time zone means UTC)."""
	if now_utc.tzinfo is None:
		raise ValueError("pass an aware datetime")
	return now_utc.astimezone(ZoneInfo(tz_name or "UTC")).date()


def contact_key(*parts) -> str:
	"""A short stable idempotency key for a planned contact (unique index in the database)."""
	text = "\x1f".join("" if p is None else str(p) for p in parts)
	return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Purchase:
	"""A submitted qualifying document."""

	doctype: str
	name: str
	posting_date: date


@dataclass(frozen=True)
class Reminder:
	"""A customer's one-off reminder of a rule, as the planner sees it."""

	id: str
	source: Purchase
	due_date: date
	status: str = "Scheduled"
	superseded_by: str | None = None  # id of the reminder that superseded this one


@dataclass
class OneOffPlan:
	schedule: date | None = None  # due date of the new reminder, None = schedule nothing
	supersede: list[str] = field(default_factory=list)  # ids of pending reminders to cancel
	reason: str = ""  # why nothing is scheduled: "duplicate" or "newer purchase"
	newer: Purchase | None = None


def plan_one_off(purchase: Purchase, reminders: list[Reminder], n: int, unit: str) -> OneOffPlan:
	"""A new qualifying purchase against the customer's reminders of one rule.

	- the purchase already has a reminder -> nothing (idempotent);
	- a pending reminder comes from a newer purchase -> nothing (that one stays);
	- otherwise a reminder is due n units after the purchase and every pending reminder of
	  an older (or same-day) purchase is superseded.
	"""
	_check(n, unit)
	if any(
		r.source == purchase or (r.source.doctype, r.source.name) == (purchase.doctype, purchase.name)
		for r in reminders
	):
		return OneOffPlan(reason="duplicate")
	pending = [r for r in reminders if r.status == "Scheduled"]
	newer = [r for r in pending if r.source.posting_date > purchase.posting_date]
	if newer:
		return OneOffPlan(
			reason="newer purchase", newer=max(newer, key=lambda r: r.source.posting_date).source
		)
	return OneOffPlan(
		schedule=one_off_due(purchase.posting_date, n, unit),
		supersede=sorted(r.id for r in pending),
	)


@dataclass
class CancelPlan:
	cancel: list[str] = field(default_factory=list)  # pending reminders of the cancelled purchase
	restore: list[str] = field(default_factory=list)  # reminders it had superseded, back to Scheduled


def plan_cancel(cancelled: tuple[str, str], reminders: list[Reminder], is_submitted) -> CancelPlan:
	"""Undo what a purchase scheduled: its pending reminders are cancelled, and the most recent
	reminder it had superseded comes back if that one's purchase still stands, the cancelled
	purchase's own reminder had not been done yet
	(`is_submitted(doctype, name)`) and no other pending reminder remains."""
	own = [r for r in reminders if (r.source.doctype, r.source.name) == tuple(cancelled)]
	own_ids = {r.id for r in own}
	plan = CancelPlan(cancel=sorted(r.id for r in own if r.status == "Scheduled"))
	if not plan.cancel:  # its reminder was already done (or never existed): nothing to bring back
		return plan
	others_pending = [r for r in reminders if r.status == "Scheduled" and r.id not in own_ids]
	if others_pending:
		return plan
	candidates = [
		r
		for r in reminders
		if r.status == "Cancelled"
		and r.superseded_by in own_ids
		and is_submitted(r.source.doctype, r.source.name)
	]
	if candidates:
		best = max(candidates, key=lambda r: (r.source.posting_date, r.due_date, r.id))
		plan.restore = [best.id]
	return plan
