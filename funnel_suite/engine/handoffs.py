"""Hand-off rules between funnels: when a card reaches a stage, move it or create a linked card elsewhere.

A rule says "when a card of funnel A reaches stage X (optionally: only if field F has value V), either MOVE
the same document into funnel B at stage Z, or CREATE a new linked document in funnel B at stage Z" (Z empty
means B's entry stage), or CREATE PROJECT: open a project whose tasks are funnel B's stages (see
`project_plan`; no card goes into B, so such a rule is no edge of the hand-off graph and no step of a plan). This module is pure logic: it validates rule sets (unknown funnels and stages, loops)
and plans which hand-offs one move triggers, following chains. Applying the plan (moving, creating and
linking documents) is the Frappe layer's job; the errors carry data so that layer can word them.

A hand-off leads from the node (source funnel, trigger stage) to the node (target funnel, target stage).
Nodes compare by funnel name (exactly) and by `normalize_stage_name` of the stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from funnel_suite.engine.definition import Funnel, normalize_stage_name

ACTION_MOVE = "move"
ACTION_CREATE = "create"
ACTION_CREATE_PROJECT = "create project"
ACTIONS = (ACTION_MOVE, ACTION_CREATE, ACTION_CREATE_PROJECT)

Node = tuple[str, str]


@dataclass(frozen=True)
class HandoffRule:
	source_funnel: str
	trigger_stage: str
	action: str
	target_funnel: str
	target_stage: str | None = None
	condition_field: str | None = None
	condition_value: str | None = None
	name: str | None = None

	@property
	def label(self) -> str:
		"""How messages refer to the rule: its row id, else "A: Won -> B"."""
		return self.name or f"{self.source_funnel}: {self.trigger_stage} -> {self.target_funnel}"


@dataclass(frozen=True)
class PlannedHandoff:
	rule: HandoffRule
	card: int
	from_funnel: str
	from_stage: str
	to_funnel: str
	to_stage: str
	creates: bool
	new_card: int | None


# -- errors -------------------------------------------------------------------------------------------------


class HandoffError(ValueError):
	"""Base of every hand-off problem. Two errors are equal when their type and data are equal."""

	code = "handoff_error"
	rule: HandoffRule | None = None

	def _data(self) -> tuple:
		return (self.rule,)

	def __eq__(self, other: object) -> bool:
		return type(other) is type(self) and other._data() == self._data()  # type: ignore[attr-defined]

	def __hash__(self) -> int:
		return hash((type(self), self._data()))


class BadAction(HandoffError):
	code = "bad_action"

	def __init__(self, rule: HandoffRule):
		self.rule = rule
		super().__init__(
			f"hand-off rule '{rule.label}' has action '{rule.action}'; allowed: {', '.join(ACTIONS)}"
		)


class UnknownTargetFunnel(HandoffError):
	code = "unknown_target_funnel"

	def __init__(self, rule: HandoffRule):
		self.rule = rule
		super().__init__(
			f"hand-off rule '{rule.label}' targets funnel '{rule.target_funnel}', which does not exist"
		)


class UnknownTargetStage(HandoffError):
	code = "unknown_target_stage"

	def __init__(self, rule: HandoffRule, allowed: tuple[str, ...]):
		self.rule, self.allowed = rule, tuple(allowed)
		stage = (rule.target_stage or "").strip()
		what = f"'{stage}' is not a stage of" if stage else "there is no entry (Open) stage in"
		super().__init__(
			f"hand-off rule '{rule.label}': {what} funnel '{rule.target_funnel}'; "
			f"allowed: {', '.join(self.allowed) or '-'}"
		)

	def _data(self) -> tuple:
		return (self.rule, self.allowed)


class UnknownTriggerStage(HandoffError):
	"""The trigger stage is not a stage of the rule's source funnel (allowed is empty if that funnel is unknown)."""

	code = "unknown_trigger_stage"

	def __init__(self, rule: HandoffRule, allowed: tuple[str, ...]):
		self.rule, self.allowed = rule, tuple(allowed)
		super().__init__(
			f"hand-off rule '{rule.label}': '{rule.trigger_stage}' is not a stage of funnel "
			f"'{rule.source_funnel}'; allowed: {', '.join(self.allowed) or '-'}"
		)

	def _data(self) -> tuple:
		return (self.rule, self.allowed)


class HandoffLoop(HandoffError):
	"""Hand-offs that would never end.

	`path` is the cycle as (funnel, stage) nodes with the first node repeated at the end. When a chain is
	refused for being longer than `max_depth` (set only then), `path` is the chain so far, not a cycle.
	"""

	code = "handoff_loop"

	def __init__(self, path: tuple[tuple[str, str], ...], max_depth: int | None = None):
		self.path = tuple(tuple(node) for node in path)
		self.max_depth = max_depth
		chain = " -> ".join(f"{funnel}: {stage}" for funnel, stage in self.path)
		if max_depth is None:
			super().__init__(f"hand-off rules form a loop: {chain}")
		else:
			super().__init__(f"hand-off chain is longer than {max_depth} steps: {chain}")

	def _data(self) -> tuple:
		return (self.path, self.max_depth)


# -- matching and resolving ---------------------------------------------------------------------------------


def _action(rule: HandoffRule) -> str | None:
	"""The rule's action (trimmed, case ignored) or None when it is not one of ACTIONS."""
	action = (rule.action or "").strip().casefold()
	return action if action in ACTIONS else None


def _is_number(value: Any) -> bool:
	return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _as_text(value: Any) -> str:
	"""A card value as comparable text: None -> "", True/False -> "1"/"0", 5.0 -> "5"."""
	if value is None:
		return ""
	if isinstance(value, bool):
		return "1" if value else "0"
	if isinstance(value, float) and value.is_integer():
		return str(int(value))
	if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
		return str(int(value))
	return str(value)


def _same_number(value: Any, text: str) -> bool:
	try:
		return Decimal(str(value)) == Decimal(text)
	except (InvalidOperation, ValueError):
		return False


def rule_matches(rule: HandoffRule, funnel: str, to_stage: str, values: Mapping[str, Any]) -> bool:
	"""Whether `rule` fires for a card of `funnel` that reached `to_stage` with field `values`.

	The funnel must be the rule's source funnel and the stage its trigger stage (compared by
	`normalize_stage_name`). With a condition field, the card's value as text, trimmed and case-folded, must
	equal the condition value, trimmed and case-folded: numbers compare by value (5 and 5.0 match "5"), a
	Check's 1 matches "1", and a missing or empty value never matches a non-empty condition value (an empty
	condition value matches exactly the cards where the field is empty).
	"""
	if rule.source_funnel != funnel:
		return False
	if not normalize_stage_name(rule.trigger_stage) or (
		normalize_stage_name(rule.trigger_stage) != normalize_stage_name(to_stage)
	):
		return False
	field = (rule.condition_field or "").strip()
	if not field:
		return True
	wanted = (rule.condition_value or "").strip().casefold()
	value = values.get(field)
	if _as_text(value).strip().casefold() == wanted:
		return True
	return bool(wanted) and _is_number(value) and _same_number(value, wanted)


def target_stage(rule: HandoffRule, funnels: Mapping[str, Funnel]) -> str:
	"""The stage a rule leads to, spelled as its funnel spells it (empty target stage = the entry stage).

	Raises UnknownTargetFunnel or UnknownTargetStage.
	"""
	funnel = funnels.get(rule.target_funnel)
	if funnel is None:
		raise UnknownTargetFunnel(rule)
	wanted = (rule.target_stage or "").strip()
	stage = funnel.stage(wanted) if wanted else funnel.entry_stage
	if stage is None:
		raise UnknownTargetStage(rule, funnel.stage_names)
	return stage.name


def _edge(rule: HandoffRule, funnels: Mapping[str, Funnel]) -> tuple[Node, Node] | None:
	"""The (from node, to node) of a rule with canonical stage names, or None if any part is unknown
	(or the rule opens a project: no card reaches the target funnel)."""
	if _action(rule) in (None, ACTION_CREATE_PROJECT):
		return None
	source = funnels.get(rule.source_funnel)
	trigger = source.stage(rule.trigger_stage) if source is not None else None
	if trigger is None:
		return None
	try:
		to = target_stage(rule, funnels)
	except HandoffError:
		return None
	return (rule.source_funnel, trigger.name), (rule.target_funnel, to)


def find_loops(rules: Sequence[HandoffRule], funnels: Mapping[str, Funnel]) -> list[tuple[Node, ...]]:
	"""Every cycle of the hand-off graph, each once, starting and ending at its smallest node.

	Conditions are ignored: a cycle that could happen is reported. Rules with an unknown action, funnel or
	stage are skipped (`validate_rules` reports them). The list is sorted.
	"""
	graph: dict[Node, set[Node]] = {}
	for rule in rules:
		edge = _edge(rule, funnels)
		if edge is not None:
			graph.setdefault(edge[0], set()).add(edge[1])
			graph.setdefault(edge[1], set())

	reverse: dict[Node, set[Node]] = {node: set() for node in graph}
	for node, successors in graph.items():
		for successor in successors:
			reverse[successor].add(node)

	cycles: list[tuple[Node, ...]] = []
	for start in sorted(graph):
		# Only nodes not smaller than `start` that can get back to it: each cycle is found from its smallest node.
		back = {start}
		todo = [start]
		while todo:
			for node in reverse[todo.pop()]:
				if node > start and node not in back:
					back.add(node)
					todo.append(node)
		cycles.extend(_cycles_through(start, graph, back))
	return sorted(cycles)


def _cycles_through(
	start: Node, graph: Mapping[Node, set[Node]], allowed: set[Node]
) -> list[tuple[Node, ...]]:
	"""The simple cycles through `start` that stay inside `allowed` (iterative depth-first search)."""
	found: list[tuple[Node, ...]] = []
	path = [start]
	on_path = {start}
	stack = [iter(sorted(graph[start] & allowed))]
	while stack:
		node = next(stack[-1], None)
		if node is None:
			stack.pop()
			on_path.discard(path.pop())
		elif node == start:
			found.append((*path, start))
		elif node not in on_path:
			path.append(node)
			on_path.add(node)
			stack.append(iter(sorted(graph[node] & allowed)))
	return found


def validate_rules(rules: Sequence[HandoffRule], funnels: Mapping[str, Funnel]) -> list[HandoffError]:
	"""Every problem of a rule set ([] = fine). Nothing is raised.

	Per rule, in rule order: BadAction, UnknownTriggerStage (the trigger stage is not a stage of the rule's
	source funnel, or that funnel is unknown), UnknownTargetFunnel or UnknownTargetStage; then one HandoffLoop
	per cycle (see `find_loops`).
	"""
	problems: list[HandoffError] = []
	for rule in rules:
		if _action(rule) is None:
			problems.append(BadAction(rule))
		source = funnels.get(rule.source_funnel)
		if source is None or source.stage(rule.trigger_stage) is None:
			problems.append(UnknownTriggerStage(rule, source.stage_names if source is not None else ()))
		if _action(rule) == ACTION_CREATE_PROJECT:
			# the target funnel's stages are the project's tasks: its target stage means nothing
			if rule.target_funnel not in funnels:
				problems.append(UnknownTargetFunnel(rule))
			continue
		try:
			target_stage(rule, funnels)
		except HandoffError as problem:
			problems.append(problem)
	problems.extend(HandoffLoop(cycle) for cycle in find_loops(rules, funnels))
	return problems


def _firing(
	rules: Sequence[HandoffRule], funnel: str, stage: str, values: Mapping[str, Any]
) -> Iterator[HandoffRule]:
	"""The rules that fire for one card at one node, in order; only the first matching move rule fires.
	Create Project rules are left out: they open no card (the caller finds them with `rule_matches`)."""
	moved = False
	for rule in rules:
		if not rule_matches(rule, funnel, stage, values):
			continue
		action = _action(rule)
		if action is None:
			raise BadAction(rule)
		if action == ACTION_CREATE_PROJECT:
			continue
		if action == ACTION_MOVE:
			if moved:
				continue
			moved = True
		yield rule


def resolve(
	rules: Sequence[HandoffRule],
	funnels: Mapping[str, Funnel],
	funnel: str,
	to_stage: str,
	values: Mapping[str, Any],
	max_depth: int = 10,
) -> list[PlannedHandoff]:
	"""The hand-offs triggered by card 0 reaching (`funnel`, `to_stage`), in the order to apply them.

	Depth first: each planned hand-off is directly followed by the hand-offs it triggers in turn. After a MOVE
	the same card is at the target node; after a CREATE the new card (numbered 1, 2, ... in plan order) is,
	and the rules of that node fire for it with the same `values`. Several rules of one node fire in the
	given order, but only the first matching MOVE rule per node and card (a card cannot go two places).

	Raises HandoffLoop when a chain comes back to a node it already passed (the same card, or a card created
	along the chain: either way it would never end) or has more than `max_depth` hand-offs, BadAction for a
	matching rule with an unknown action and UnknownTarget* for a matching rule whose target is unknown.
	"""
	home = funnels.get(funnel)
	start_stage = home.stage(to_stage) if home is not None else None
	start: Node = (funnel, start_stage.name if start_stage is not None else (to_stage or "").strip())

	plan: list[PlannedHandoff] = []
	cards = 0
	# One frame per node reached: (card, chain of nodes that led here, the rules still to fire there).
	stack = [(0, [start], _firing(rules, start[0], start[1], values))]
	while stack:
		card, chain, pending = stack[-1]
		rule = next(pending, None)
		if rule is None:
			stack.pop()
			continue
		here = chain[-1]
		there: Node = (rule.target_funnel, target_stage(rule, funnels))
		keys = [(f, normalize_stage_name(s)) for f, s in chain]
		key = (there[0], normalize_stage_name(there[1]))
		if key in keys:
			raise HandoffLoop((*chain[keys.index(key) :], there))
		if len(chain) > max_depth:
			raise HandoffLoop((*chain, there), max_depth=max_depth)

		creates = _action(rule) == ACTION_CREATE
		new_card = None
		if creates:
			cards += 1
			new_card = cards
		plan.append(PlannedHandoff(rule, card, here[0], here[1], there[0], there[1], creates, new_card))
		mover = new_card if new_card is not None else card
		stack.append((mover, [*chain, there], _firing(rules, there[0], there[1], values)))
	return plan
