"""Funnel definitions: stages, their kinds and the rules a definition must satisfy."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

KIND_OPEN = "Open"
KIND_WON = "Won"
KIND_LOST = "Lost"
STAGE_KINDS = (KIND_OPEN, KIND_WON, KIND_LOST)

_SPLIT = re.compile(r"[\n,;]+")
_SPACES = re.compile(r"\s+")


def split_list(value: str | Iterable[str] | None) -> tuple[str, ...]:
	"""Split a "one per line or comma-separated" text into trimmed, non-empty items.

	Order is kept and exact duplicates are dropped.
	"""
	if not value:
		return ()
	items = _SPLIT.split(value) if isinstance(value, str) else value
	seen: dict[str, None] = {}
	for item in items:
		item = (item or "").strip()
		if item and item not in seen:
			seen[item] = None
	return tuple(seen)


def normalize_stage_name(name: str | None) -> str:
	"""The key two stage names are compared by: trimmed, inner spaces folded, case-folded."""
	return _SPACES.sub(" ", (name or "").strip()).casefold()


@dataclass(frozen=True)
class Stage:
	name: str
	kind: str = KIND_OPEN
	probability: float = 0.0
	stale_after_days: int = 0
	required_fields: tuple[str, ...] = ()
	allowed_roles: tuple[str, ...] = ()
	allowed_next: tuple[str, ...] = ()
	next_action: str = ""
	next_action_due_days: int = 0
	# named checks that must pass to enter the stage (registered by the host app, evaluated by
	# the caller of the plan functions)
	checks: tuple[str, ...] = ()

	@property
	def key(self) -> str:
		return normalize_stage_name(self.name)

	@property
	def is_open(self) -> bool:
		return self.kind == KIND_OPEN

	@property
	def is_final(self) -> bool:
		return self.kind in (KIND_WON, KIND_LOST)


@dataclass(frozen=True)
class DefinitionProblem:
	"""One reason a definition is invalid. `code` is stable; `stage`/`value` give the detail."""

	code: str
	stage: str | None = None
	value: str | None = None

	def __str__(self) -> str:
		return _PROBLEM_TEXT[self.code].format(stage=self.stage, value=self.value)


_PROBLEM_TEXT = {
	"no_stages": "the funnel has no stages",
	"empty_name": "stage #{value} has no name",
	"duplicate_name": "stage name '{stage}' is used more than once",
	"bad_name_chars": "stage name '{stage}' contains < or > or a line break",
	"bad_kind": "stage '{stage}' has kind '{value}'; allowed: Open, Won, Lost",
	"no_open": "the funnel has no Open stage",
	"no_won": "the funnel has no Won stage",
	"no_lost": "the funnel has no Lost stage",
	"unknown_next": "stage '{stage}' allows a move to '{value}', which is not a stage of this funnel",
	"bad_probability": "stage '{stage}' has probability {value}; allowed: 0 to 100",
	"negative_days": "stage '{stage}' has a negative number of days ({value})",
}


class InvalidDefinition(ValueError):
	def __init__(self, problems: Sequence[DefinitionProblem]):
		self.problems = tuple(problems)
		super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Funnel:
	name: str
	stages: tuple[Stage, ...]
	document_type: str = ""
	enabled: bool = True
	# strict sequence: from a stage only to the next one in order or back to the previous one
	# (Lost stages, e.g. "Cancelled", stay reachable from every open stage); with
	# comment_on_backward a move back needs a comment saying why
	strict_sequence: bool = False
	comment_on_backward: bool = False
	_index: dict[str, Stage] = field(init=False, repr=False, compare=False, hash=False)

	def __post_init__(self):
		index: dict[str, Stage] = {}
		for stage in self.stages:
			index.setdefault(stage.key, stage)
		object.__setattr__(self, "_index", index)

	def stage(self, name: str | None) -> Stage | None:
		"""The stage called `name` (case and surrounding spaces ignored), or None."""
		return self._index.get(normalize_stage_name(name)) if name else None

	@property
	def stage_names(self) -> tuple[str, ...]:
		return tuple(s.name for s in self.stages)

	@property
	def entry_stage(self) -> Stage | None:
		"""Where new cards start: the first Open stage."""
		return next((s for s in self.stages if s.is_open), None)

	def position(self, name: str) -> int:
		stage = self.stage(name)
		return self.stages.index(stage) if stage else -1

	def next_stages(self, current: str | None) -> tuple[Stage, ...]:
		"""The stages a card may move to from `current` (its own stage excluded)."""
		here = self.stage(current)
		if here is None:
			return self.stages
		stages = self.stages
		if self.strict_sequence:
			stages = self._sequence_neighbours(here)
		if here.allowed_next:
			allowed = {normalize_stage_name(n) for n in here.allowed_next}
			return tuple(s for s in stages if s.key in allowed and s is not here)
		return tuple(s for s in stages if s is not here)

	@property
	def sequence(self) -> tuple[Stage, ...]:
		"""The stages a card passes one by one in a strict funnel: every stage but the Lost ones."""
		return tuple(s for s in self.stages if s.kind != KIND_LOST)

	def _sequence_neighbours(self, here: Stage) -> tuple[Stage, ...]:
		"""Strict sequence: the previous and the next stage of the sequence, and every Lost stage
		from a stage that is not final; nothing from a Lost stage (it ends the card's way)."""
		if here.kind == KIND_LOST:
			return ()
		sequence = self.sequence
		at = sequence.index(here)
		near = {s.key for s in sequence[max(at - 1, 0) : at + 2]}
		return tuple(
			s for s in self.stages if s.key in near or (s.kind == KIND_LOST and here.kind == KIND_OPEN)
		)

	def is_backward(self, from_stage: str | None, to_stage: str | None) -> bool:
		"""A move to a stage earlier in the sequence (Lost stages are never "back")."""
		here, there = self.stage(from_stage), self.stage(to_stage)
		if here is None or there is None or there.kind == KIND_LOST or here.kind == KIND_LOST:
			return False
		return self.stages.index(there) < self.stages.index(here)


# A stage name becomes a Select option (one per line) and a Kanban column; the host refuses names
# with < or > (frappe.model.naming), so a funnel with such a stage could never be saved.
FORBIDDEN_NAME_CHARS = ("<", ">", "\n", "\r")


def validate_definition(funnel: Funnel) -> list[DefinitionProblem]:
	"""All problems of a definition (empty list = valid). Nothing is raised."""
	problems: list[DefinitionProblem] = []
	if not funnel.stages:
		return [DefinitionProblem("no_stages")]

	seen: set[str] = set()
	for position, stage in enumerate(funnel.stages, start=1):
		if not stage.key:
			problems.append(DefinitionProblem("empty_name", value=str(position)))
			continue
		if stage.key in seen:
			problems.append(DefinitionProblem("duplicate_name", stage=stage.name.strip()))
		seen.add(stage.key)
		if any(char in stage.name for char in FORBIDDEN_NAME_CHARS):
			problems.append(DefinitionProblem("bad_name_chars", stage=stage.name.strip()))
		if stage.kind not in STAGE_KINDS:
			problems.append(DefinitionProblem("bad_kind", stage=stage.name, value=str(stage.kind)))
		if not 0 <= (stage.probability or 0) <= 100:
			problems.append(
				DefinitionProblem("bad_probability", stage=stage.name, value=str(stage.probability))
			)
		for days in (stage.stale_after_days, stage.next_action_due_days):
			if (days or 0) < 0:
				problems.append(DefinitionProblem("negative_days", stage=stage.name, value=str(days)))

	kinds = {s.kind for s in funnel.stages}
	for kind, code in ((KIND_OPEN, "no_open"), (KIND_WON, "no_won"), (KIND_LOST, "no_lost")):
		if kind not in kinds:
			problems.append(DefinitionProblem(code))

	for stage in funnel.stages:
		for target in stage.allowed_next:
			if normalize_stage_name(target) not in seen:
				problems.append(DefinitionProblem("unknown_next", stage=stage.name, value=target))
	return problems


def require_valid(funnel: Funnel) -> Funnel:
	problems = validate_definition(funnel)
	if problems:
		raise InvalidDefinition(problems)
	return funnel
