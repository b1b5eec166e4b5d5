"""Communication cadences: step timing, retries and stop rules. Pure Python, no Frappe.

A cadence is an ordered list of steps; each waits `wait_value` hours or days and then sends
one message (Email, SMS, Telegram or a webhook call).

Timing rules (all datetimes are naive, in the site's time zone, as Frappe stores them):
- the first step is due `wait` after the enrollment, every later step `wait` after the
  previous step was *finished* (sent, or failed after its last attempt, or skipped);
  at enrollment the plan assumes every step finishes on time, so the due times are cumulative;
- when a step finishes late (a retry, a paused scheduler) the following Queued steps move
  later by the same amount, never earlier: the customer never gets two messages closer
  together than the admin asked for;
- a step that failed after its last attempt does NOT block the rest of the cadence: the next
  step keeps its turn (a dead webhook must not silence the emails). The failure stays on the
  enrollment with its error text.

Retries: attempt 1 at the due time, then `RETRY_DELAYS` after each failed attempt (by default
+5 minutes, then +30 minutes, i.e. three attempts); the step is Failed after `max_attempts`.

Stop rules: an event (reply received, card won, card lost, card left the stage, cadence
disabled) stops an Active enrollment when the cadence's matching flag is on; every Queued step
becomes Skipped with the event's reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

HOURS = "Hours"
DAYS = "Days"
WAIT_UNITS = (HOURS, DAYS)

EMAIL = "Email"
SMS = "SMS"
TELEGRAM = "Telegram"
WEBHOOK = "Webhook"
CHANNELS = (EMAIL, SMS, TELEGRAM, WEBHOOK)

QUEUED = "Queued"
SENT = "Sent"
FAILED = "Failed"
SKIPPED = "Skipped"
STEP_STATUSES = (QUEUED, SENT, FAILED, SKIPPED)
FINISHED = frozenset((SENT, FAILED, SKIPPED))

ACTIVE = "Active"
COMPLETED = "Completed"
STOPPED = "Stopped"

# Stop events and the reason recorded on the enrollment and its skipped steps.
REPLY = "reply"
WON = "won"
LOST = "lost"
STAGE_EXIT = "stage_exit"
DISABLED = "disabled"
STOP_REASONS = {
	REPLY: "Reply received",
	WON: "Card won",
	LOST: "Card lost",
	STAGE_EXIT: "Card left the stage",
	DISABLED: "Cadence disabled",
}

RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=30))
DEFAULT_MAX_ATTEMPTS = 3
MAX_ATTEMPTS_LIMIT = 10
MAX_WAIT_DAYS = 3650


class CadenceError(ValueError):
	"""A cadence definition the engine refuses; carries the row (1-based) and the field."""

	def __init__(self, code: str, row: int | None = None, field: str | None = None, detail: str = ""):
		self.code, self.row, self.field, self.detail = code, row, field, detail
		where = f"step {row}, {field}: " if row else ""
		super().__init__(f"{where}{code}{': ' + detail if detail else ''}")


@dataclass(frozen=True)
class Step:
	wait_value: int
	wait_unit: str
	channel: str
	email_template: str = ""
	message: str = ""
	webhook: str = ""
	body_template: str = ""


@dataclass(frozen=True)
class StopFlags:
	on_reply: bool = True
	on_won_or_lost: bool = True
	on_stage_exit: bool = True


def wait_delta(value: int, unit: str) -> timedelta:
	if value is None or int(value) < 0:
		raise CadenceError("negative_wait", field="wait_value", detail=str(value))
	if unit not in WAIT_UNITS:
		raise CadenceError("unknown_unit", field="wait_unit", detail=str(unit))
	return timedelta(hours=int(value)) if unit == HOURS else timedelta(days=int(value))


def validate_steps(steps: Sequence[Step]) -> list[CadenceError]:
	"""Every problem of a cadence's steps (row numbers are 1-based), in row order.

	The body template of a webhook is checked by the caller after rendering (Jinja lives there)
	with `check_json_body`.
	"""
	problems: list[CadenceError] = []
	if not steps:
		problems.append(CadenceError("no_steps"))
	for row, step in enumerate(steps, start=1):
		if step.wait_value is None or int(step.wait_value) < 0:
			problems.append(CadenceError("negative_wait", row, "wait_value", str(step.wait_value)))
		elif step.wait_unit == DAYS and int(step.wait_value) > MAX_WAIT_DAYS:
			problems.append(CadenceError("wait_too_long", row, "wait_value", str(step.wait_value)))
		elif step.wait_unit == HOURS and int(step.wait_value) > MAX_WAIT_DAYS * 24:
			problems.append(CadenceError("wait_too_long", row, "wait_value", str(step.wait_value)))
		if step.wait_unit not in WAIT_UNITS:
			problems.append(CadenceError("unknown_unit", row, "wait_unit", str(step.wait_unit)))
		if step.channel not in CHANNELS:
			problems.append(CadenceError("unknown_channel", row, "channel", str(step.channel)))
		elif step.channel == EMAIL and not (step.email_template or "").strip():
			problems.append(CadenceError("missing", row, "email_template"))
		elif step.channel in (SMS, TELEGRAM) and not (step.message or "").strip():
			problems.append(CadenceError("missing", row, "message"))
		elif step.channel == WEBHOOK:
			if not (step.webhook or "").strip():
				problems.append(CadenceError("missing", row, "webhook"))
			if not (step.body_template or "").strip():
				problems.append(CadenceError("missing", row, "body_template"))
	return problems


def planned_due_times(enrolled_on: datetime, steps: Sequence[Step]) -> list[datetime]:
	"""Due time of every step if each finishes on time: cumulative waits from the enrollment."""
	due, at = [], enrolled_on
	for step in steps:
		at = at + wait_delta(step.wait_value, step.wait_unit)
		due.append(at)
	return due


def shift_after_finish(
	finished_at: datetime, planned_at: datetime, queued_due: Sequence[datetime]
) -> list[datetime]:
	"""Due times of the following Queued steps after a step planned at `planned_at` finished at
	`finished_at`: late by d → all later by d; early (never by design) → unchanged."""
	delay = finished_at - planned_at
	if delay <= timedelta(0):
		return list(queued_due)
	return [due + delay for due in queued_due]


def retry_at(
	attempts_made: int, failed_at: datetime, max_attempts: int = DEFAULT_MAX_ATTEMPTS
) -> datetime | None:
	"""When to try again after attempt number `attempts_made` failed; None = no attempts left
	(the step is Failed). Delays beyond `RETRY_DELAYS` repeat its last value."""
	max_attempts = max(1, min(int(max_attempts or DEFAULT_MAX_ATTEMPTS), MAX_ATTEMPTS_LIMIT))
	if attempts_made < 1:
		raise ValueError("a retry follows a failed attempt")
	if attempts_made >= max_attempts:
		return None
	delay = RETRY_DELAYS[min(attempts_made, len(RETRY_DELAYS)) - 1]
	return failed_at + delay


def stop_reason(event: str, flags: StopFlags) -> str | None:
	"""The reason an event stops an Active enrollment, or None when the cadence ignores it.

	A disabled cadence always stops; won/lost follow `on_won_or_lost`, a reply `on_reply`,
	leaving the stage `on_stage_exit`.
	"""
	if event not in STOP_REASONS:
		raise ValueError(f"unknown cadence event {event!r}")
	applies = {
		REPLY: flags.on_reply,
		WON: flags.on_won_or_lost,
		LOST: flags.on_won_or_lost,
		STAGE_EXIT: flags.on_stage_exit,
		DISABLED: True,
	}[event]
	return STOP_REASONS[event] if applies else None


def steps_to_skip(statuses: Iterable[str]) -> list[int]:
	"""Indexes (0-based) of the steps a stop turns into Skipped: every one still Queued."""
	return [i for i, status in enumerate(statuses) if status == QUEUED]


def enrollment_status(statuses: Sequence[str]) -> str:
	"""Active while a step is Queued; Completed once every step has finished."""
	return ACTIVE if any(s == QUEUED for s in statuses) else COMPLETED


def stage_event(stage_kind: str) -> str | None:
	"""The stop event of entering a stage of this kind (Won → won, Lost → lost)."""
	return {"Won": WON, "Lost": LOST}.get(stage_kind)


def check_json_body(rendered: str) -> object:
	"""Parse a rendered webhook body; CadenceError("bad_json") with the parser's message."""
	try:
		return json.loads(rendered)
	except (TypeError, ValueError) as err:
		raise CadenceError("bad_json", field="body_template", detail=str(err)) from None


class SampleFields(dict):
	"""A card for validating templates: any field the template names has a sample value."""

	def __missing__(self, key: str) -> str:
		return f"sample {key}"


def sample_context(fields: Mapping[str, object] | None = None) -> dict:
	"""The context a body template is validated with: every name a real send provides."""
	return {
		"doc": SampleFields(fields or {}),
		"card": SampleFields(fields or {}),
		"funnel": "Sample funnel",
		"stage": "Sample stage",
		"cadence": "Sample cadence",
		"step": 1,
		"channel": WEBHOOK,
		"enrollment": "CE-SAMPLE",
	}


def mask_secret(text: str, *secrets: str | None) -> str:
	"""`text` with every secret replaced by *** (errors from HTTP libraries quote the URL,
	and the Telegram URL carries the bot token)."""
	for secret in secrets:
		if secret:
			text = text.replace(secret, "***")
	return text
