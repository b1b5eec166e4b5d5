"""Planning and applying stage moves.

A *plan* function decides whether a move is allowed and returns a `Move` (or raises a
typed `FunnelError`); `apply_move` turns a move into the card's new state and the log
row to write. Checks run in a fixed order: funnel disabled, unknown stage, no-op,
allowed-next of the current stage (for a funnel change instead: the entry stage unless the
caller may choose another), role, required fields and the stage's named checks (all of them at
once: a `ChecksFailed` lists every failed check and every missing field).

Named checks are evaluated by the caller: `checks` is a function that takes a check name and
returns the reasons it fails (nothing = it passes). Without one, a stage that lists checks
cannot be entered (each check fails with no reason).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from funnel_suite.engine.definition import Funnel, Stage
from funnel_suite.engine.errors import (
	ChecksFailed,
	CommentRequired,
	EntryStageOnly,
	FunnelDisabled,
	MissingFields,
	MoveNotAllowed,
	RoleNotAllowed,
	StrictEntry,
	UnknownStage,
)


@dataclass(frozen=True)
class CardState:
	funnel: str | None = None
	stage: str | None = None
	since: datetime | None = None


@dataclass(frozen=True)
class Move:
	funnel: str
	from_stage: str | None
	to_stage: str
	from_funnel: str | None = None

	@property
	def is_noop(self) -> bool:
		return self.from_funnel == self.funnel and self.from_stage == self.to_stage

	@property
	def changes_funnel(self) -> bool:
		return self.from_funnel != self.funnel


@dataclass(frozen=True)
class LogRow:
	funnel: str
	from_stage: str | None
	to_stage: str
	moved_on: datetime
	seconds_in_from_stage: int
	from_funnel: str | None = None


def is_missing(value: Any) -> bool:
	"""A required value counts as missing when it is None, blank text or an empty collection."""
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, (list, tuple, set, dict)):
		return not value
	return False


# Who may put a card that changes funnel straight into a stage other than the entry stage.
ENTRY_OVERRIDE_ROLES = ("Funnel Manager",)


CheckRunner = Callable[[str], Iterable[str]]


def failed_checks(stage: Stage, checks: CheckRunner | None) -> tuple[tuple[str, str], ...]:
	"""Every (check, reason) of the stage's checks that fails, in the stage's order."""
	failures: list[tuple[str, str]] = []
	for name in stage.checks:
		reasons = [""] if checks is None else [r for r in checks(name) if r is not None]
		failures.extend((name, reason) for reason in reasons)
	return tuple(failures)


def _check_target(
	stage: Stage,
	roles: Iterable[str],
	values: Mapping[str, Any],
	*,
	as_app: bool = False,
	checks: CheckRunner | None = None,
) -> None:
	if not as_app and stage.allowed_roles and not set(stage.allowed_roles) & set(roles):
		raise RoleNotAllowed(stage.name, stage.allowed_roles)
	missing = tuple(f for f in stage.required_fields if is_missing(values.get(f)))
	failures = failed_checks(stage, checks)
	if failures:
		raise ChecksFailed(stage.name, failures, missing)
	if missing:
		raise MissingFields(stage.name, missing)


def _resolve(funnel: Funnel, stage_name: str, allowed: tuple[str, ...]) -> Stage:
	stage = funnel.stage(stage_name)
	if stage is None:
		raise UnknownStage(funnel.name, stage_name, allowed)
	return stage


def plan_move(
	funnel: Funnel,
	current_stage: str | None,
	target_stage: str,
	roles: Iterable[str] = (),
	values: Mapping[str, Any] | None = None,
	*,
	checks: CheckRunner | None = None,
	comment: str | None = None,
) -> Move:
	"""Plan a move inside one funnel. A move to the current stage is a no-op (`Move.is_noop`).

	In a strict funnel (`Funnel.strict_sequence`) only the neighbouring stages are allowed
	(`Funnel.next_stages`); with `comment_on_backward` a move back needs a non-blank `comment`."""
	if not funnel.enabled:
		raise FunnelDisabled(funnel.name)
	here = funnel.stage(current_stage)
	allowed = tuple(s.name for s in funnel.next_stages(current_stage))
	target = _resolve(funnel, target_stage, allowed if here else funnel.stage_names)
	if here is target:
		return Move(funnel.name, here.name, here.name, from_funnel=funnel.name)
	if here is not None and target.name not in allowed:
		raise MoveNotAllowed(funnel.name, here.name, target.name, allowed)
	if (
		here is not None
		and funnel.strict_sequence
		and funnel.comment_on_backward
		and funnel.is_backward(here.name, target.name)
		and not (comment or "").strip()
	):
		raise CommentRequired(funnel.name, here.name, target.name)
	_check_target(target, roles, values or {}, checks=checks)
	return Move(funnel.name, here.name if here else current_stage, target.name, from_funnel=funnel.name)


def plan_entry(
	funnel: Funnel,
	requested_stage: str | None = None,
	roles: Iterable[str] = (),
	values: Mapping[str, Any] | None = None,
	*,
	checks: CheckRunner | None = None,
) -> Move:
	"""Plan a new card's entry: the requested stage if given, else the funnel's entry stage."""
	if not funnel.enabled:
		raise FunnelDisabled(funnel.name)
	if requested_stage:
		target = _resolve(funnel, requested_stage, funnel.stage_names)
	else:
		target = funnel.entry_stage
		if target is None:
			raise UnknownStage(funnel.name, "", funnel.stage_names)
	entry = funnel.entry_stage
	if funnel.strict_sequence and entry is not None and target is not entry:
		raise StrictEntry(funnel.name, target.name, entry.name)
	_check_target(target, roles, values or {}, checks=checks)
	return Move(funnel.name, None, target.name, from_funnel=None)


def plan_funnel_change(
	old_funnel: str | None,
	old_stage: str | None,
	new_funnel: Funnel,
	requested_stage: str | None = None,
	roles: Iterable[str] = (),
	values: Mapping[str, Any] | None = None,
	*,
	as_app: bool = False,
	checks: CheckRunner | None = None,
) -> Move:
	"""Plan moving a card into another funnel: the requested stage when given, else the entry stage.

	The old funnel's allowed-next rules do not apply across funnels. A stage other than the
	entry stage is open only to ENTRY_OVERRIDE_ROLES and still passes its gates (roles,
	required fields). `as_app`: the app moves the card (a hand-off names the stage): any
	stage, its role limits aside; its required fields still apply.
	"""
	if not new_funnel.enabled:
		raise FunnelDisabled(new_funnel.name)
	roles = tuple(roles)
	entry = new_funnel.entry_stage
	if requested_stage:
		target = _resolve(new_funnel, requested_stage, new_funnel.stage_names)
	elif entry is None:
		raise UnknownStage(new_funnel.name, "", new_funnel.stage_names)
	else:
		target = entry
	if target is not entry and not as_app and not set(ENTRY_OVERRIDE_ROLES) & set(roles):
		raise EntryStageOnly(new_funnel.name, target.name, entry.name if entry else "", ENTRY_OVERRIDE_ROLES)
	_check_target(target, roles, values or {}, as_app=as_app, checks=checks)
	return Move(new_funnel.name, old_stage, target.name, from_funnel=old_funnel)


def apply_move(state: CardState, move: Move, now: datetime) -> tuple[CardState, LogRow | None]:
	"""The card's state after `move` and the log row to write (None for a no-op).

	Seconds in the previous stage are never negative, even if clocks went backwards.
	"""
	if move.is_noop:
		return state, None
	seconds = 0
	if state.since is not None and state.stage is not None:
		seconds = max(0, int((now - state.since).total_seconds()))
	row = LogRow(
		funnel=move.funnel,
		from_stage=move.from_stage,
		to_stage=move.to_stage,
		moved_on=now,
		seconds_in_from_stage=seconds,
		from_funnel=move.from_funnel,
	)
	return CardState(move.funnel, move.to_stage, now), row
