"""Warranty routes: a company's warranty regulation as a tree of questions, automatic checks and
outcomes, each outcome a branch funnel for Warranty Claims.

Pure Python (no Frappe). The Warranty Route doctype maps its nodes to `Node`s, the claim's data to
`ClaimFacts`; this module decides whether a route is valid (`validate_route`), where a claim stands
(`evaluate`) and what changes when an answer is given or an earlier one is changed (`answer`).

- A *question* node asks the user; its answer rows each lead to one child node (at least two).
- An *automatic check* node is answered from data, never asked: a field of the claim, its Serial No
  or its Item compared with a value, or a named data check ("serial under warranty on the claim
  date", "delivered less than N days ago"). Its answers are exactly "Yes" and "No".
- A *leaf* ends the route: an outcome and the branch funnel the claim goes to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

KIND_QUESTION = "Question"
KIND_CHECK = "Automatic Check"
KIND_LEAF = "Leaf"
NODE_KINDS = (KIND_QUESTION, KIND_CHECK, KIND_LEAF)

OUTCOMES = ("Repair", "Replace", "Refund", "Paid repair offer", "Reject with explanation")

SOURCES = ("Claim", "Serial No", "Item")
YES, NO = "Yes", "No"
AUTOMATIC = "automatic"
CLAIM_DOCTYPE = "Warranty Claim"

# Operators a field comparison may use, and the field types each works on.
OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "in", "not in", "is set", "is not set")
ORDERED_OPERATORS = (">", ">=", "<", "<=")
NO_VALUE_OPERATORS = ("is set", "is not set")

INT_TYPES = frozenset(("Int", "Check"))
FLOAT_TYPES = frozenset(("Float", "Currency", "Percent", "Rating"))
DATE_TYPES = frozenset(("Date",))
DATETIME_TYPES = frozenset(("Datetime",))
ORDERED_TYPES = INT_TYPES | FLOAT_TYPES | DATE_TYPES | DATETIME_TYPES

# Named data checks: name -> whether it takes a number of days.
DATA_CHECKS = {
	"serial_under_warranty": False,  # the serial's warranty runs to or past the claim date
	"serial_under_amc": False,  # the serial's maintenance contract runs to or past the claim date
	"delivered_within_days": True,  # the serial was delivered less than N days before the claim date
}


class RouteError(ValueError):
	"""An answer the route cannot take (unknown node, answer not offered, automatic node…)."""

	def __init__(self, code: str, node: str, detail: str = "", allowed: tuple[str, ...] = ()):
		super().__init__(f"{code}: {node} {detail}".strip())
		self.code, self.node, self.detail, self.allowed = code, node, detail, allowed


@dataclass(frozen=True)
class Answer:
	label: str
	child: str  # the node this answer leads to


@dataclass(frozen=True)
class Check:
	"""What an automatic check node compares: `data_check` (a name of DATA_CHECKS, with `days`) or
	a field of the claim / its Serial No / its Item with an operator and a value (text, parsed by
	the field's type)."""

	source: str = "Claim"
	fieldname: str = ""
	operator: str = "="
	value: str = ""
	data_check: str = ""
	days: int = 0


@dataclass(frozen=True)
class Node:
	name: str
	parent: str | None
	kind: str
	question: str = ""
	answers: tuple[Answer, ...] = ()
	check: Check | None = None
	outcome: str = ""
	branch_funnel: str = ""

	def answer_for(self, label: str) -> Answer | None:
		wanted = normalize(label)
		return next((a for a in self.answers if normalize(a.label) == wanted), None)


@dataclass(frozen=True)
class RouteProblem:
	code: str
	node: str
	detail: str = ""

	def __str__(self) -> str:
		return f"{self.code}: {self.node} {self.detail}".strip()


@dataclass(frozen=True)
class ClaimFacts:
	"""The data automatic checks read: the claim's, its Serial No's and its Item's values (a field
	a record lacks reads as None), the claim date and the day the serial was delivered."""

	claim: Mapping = field(default_factory=dict)
	serial: Mapping = field(default_factory=dict)
	item: Mapping = field(default_factory=dict)
	claim_date: date | None = None
	delivered_on: date | None = None


@dataclass(frozen=True)
class Step:
	node: str
	question: str
	answer: str
	automatic: bool = False


@dataclass(frozen=True)
class Position:
	"""Where a claim stands: its path from the root, and either the question it waits at or the
	leaf it reached (exactly one of them)."""

	path: tuple[Step, ...]
	waiting_at: str | None = None
	leaf: str | None = None

	@property
	def current(self) -> str:
		return self.leaf or self.waiting_at or ""


@dataclass(frozen=True)
class AnswerResult:
	position: Position
	removed: tuple[Step, ...] = ()  # steps cut from the path by a changed earlier answer
	changed: Step | None = None  # the step whose answer changed (None: a new answer)


class Route:
	"""The nodes of one route, by name."""

	def __init__(self, nodes: Iterable[Node]):
		self.nodes: dict[str, Node] = {}
		self.duplicates: list[str] = []
		for node in nodes:
			if node.name in self.nodes:
				self.duplicates.append(node.name)
			self.nodes[node.name] = node

	@property
	def roots(self) -> list[str]:
		return [n.name for n in self.nodes.values() if not n.parent or n.parent not in self.nodes]

	@property
	def root(self) -> str:
		roots = self.roots
		if len(roots) != 1:
			raise RouteError("root", ", ".join(roots) or "-", "a route has exactly one root")
		return roots[0]

	def __getitem__(self, name: str) -> Node:
		return self.nodes[name]

	def children(self, name: str) -> list[str]:
		return [n.name for n in self.nodes.values() if n.parent == name]


def normalize(text: str) -> str:
	"""Answers compare without case and extra spaces."""
	return " ".join((text or "").split()).casefold()


# --- validation ------------------------------------------------------------------------------------


def validate_route(
	nodes: Iterable[Node],
	funnel_doctypes: Mapping[str, str] | None = None,
	schema: Mapping[str, Mapping[str, str]] | None = None,
) -> list[RouteProblem]:
	"""Every problem of a route, each naming its node. `funnel_doctypes`: funnel -> its document type
	(a funnel missing from it does not exist); `schema`: source ("Claim", "Serial No", "Item") ->
	{fieldname: fieldtype}. Either left out is not checked."""
	route = Route(nodes)
	problems: list[RouteProblem] = [RouteProblem("duplicate_node", name) for name in route.duplicates]
	roots = route.roots
	if not roots:
		# every node has a parent inside the route: the parents go round in a cycle
		problems.append(RouteProblem("no_root", ", ".join(sorted(route.nodes)) or "-"))
	elif len(roots) > 1:
		problems.extend(RouteProblem("several_roots", name) for name in roots)
	problems.extend(_cycle_problems(route))
	for node in route.nodes.values():
		problems.extend(_node_problems(route, node, funnel_doctypes, schema))
	return problems


def _cycle_problems(route: Route) -> list[RouteProblem]:
	problems, reported = [], set()
	for start in route.nodes:
		seen, name = [], start
		while name in route.nodes and name not in seen:
			seen.append(name)
			name = route.nodes[name].parent
		if name in seen:
			cycle = tuple(seen[seen.index(name) :])
			key = frozenset(cycle)
			if key not in reported:
				reported.add(key)
				problems.append(RouteProblem("cycle", min(cycle), " → ".join(cycle)))
	return problems


def _node_problems(route, node, funnel_doctypes, schema) -> list[RouteProblem]:
	problems = []
	if node.kind not in NODE_KINDS:
		return [RouteProblem("unknown_kind", node.name, node.kind)]
	if node.kind == KIND_LEAF:
		if node.answers:
			problems.append(RouteProblem("leaf_with_answers", node.name))
		if route.children(node.name):
			problems.append(RouteProblem("leaf_with_children", node.name))
		if node.outcome not in OUTCOMES:
			problems.append(RouteProblem("leaf_without_outcome", node.name, node.outcome))
		if not node.branch_funnel:
			problems.append(RouteProblem("leaf_without_funnel", node.name))
		elif funnel_doctypes is not None:
			doctype = funnel_doctypes.get(node.branch_funnel)
			if doctype is None:
				problems.append(RouteProblem("unknown_funnel", node.name, node.branch_funnel))
			elif doctype != CLAIM_DOCTYPE:
				problems.append(RouteProblem("funnel_not_for_claims", node.name, node.branch_funnel))
		return problems

	if node.kind == KIND_QUESTION:
		if not (node.question or "").strip():
			problems.append(RouteProblem("question_without_text", node.name))
		if len(node.answers) < 2:
			problems.append(RouteProblem("too_few_answers", node.name, str(len(node.answers))))
	else:
		labels = sorted(normalize(a.label) for a in node.answers)
		if labels != sorted(normalize(x) for x in (YES, NO)):
			problems.append(RouteProblem("check_needs_yes_no", node.name))
		problems.extend(_check_problems(node, schema))

	seen_labels, seen_children = set(), set()
	for answer in node.answers:
		label = normalize(answer.label)
		if not label:
			problems.append(RouteProblem("answer_without_text", node.name))
		elif label in seen_labels:
			problems.append(RouteProblem("duplicate_answer", node.name, answer.label))
		seen_labels.add(label)
		if not answer.child:
			problems.append(RouteProblem("answer_without_node", node.name, answer.label))
		elif answer.child not in route.nodes:
			problems.append(RouteProblem("answer_to_unknown_node", node.name, answer.child))
		elif route.nodes[answer.child].parent != node.name:
			problems.append(RouteProblem("answer_to_other_branch", node.name, answer.child))
		elif answer.child in seen_children:
			problems.append(RouteProblem("two_answers_one_node", node.name, answer.child))
		seen_children.add(answer.child)
	for child in route.children(node.name):
		if child not in seen_children:
			problems.append(RouteProblem("unreachable_node", child, node.name))
	return problems


def _check_problems(node: Node, schema) -> list[RouteProblem]:
	check = node.check
	if check is None:
		return [RouteProblem("check_without_spec", node.name)]
	if check.data_check:
		if check.data_check not in DATA_CHECKS:
			return [RouteProblem("unknown_data_check", node.name, check.data_check)]
		if DATA_CHECKS[check.data_check] and check.days <= 0:
			return [RouteProblem("data_check_needs_days", node.name, check.data_check)]
		return []
	if check.source not in SOURCES:
		return [RouteProblem("unknown_source", node.name, check.source)]
	if not check.fieldname:
		return [RouteProblem("check_without_field", node.name)]
	if check.operator not in OPERATORS:
		return [RouteProblem("unknown_operator", node.name, check.operator)]
	if schema is None:
		return []
	fieldtype = (schema.get(check.source) or {}).get(check.fieldname)
	if fieldtype is None:
		return [RouteProblem("unknown_field", node.name, f"{check.source}.{check.fieldname}")]
	if check.operator in NO_VALUE_OPERATORS:
		return []
	if check.operator in ORDERED_OPERATORS and fieldtype not in ORDERED_TYPES:
		return [RouteProblem("operator_not_for_type", node.name, f"{check.operator} {fieldtype}")]
	try:
		for text in _value_texts(check):
			parse_value(text, fieldtype)
	except ValueError:
		return [RouteProblem("value_not_of_type", node.name, f"{check.value!r} {fieldtype}")]
	return []


def _value_texts(check: Check) -> list[str]:
	if check.operator in ("in", "not in"):
		parts = [p.strip() for p in (check.value or "").split(",")]
		return [p for p in parts if p] or [""]
	return [check.value or ""]


def parse_value(text: str, fieldtype: str):
	"""A check's value as the field's type (ValueError when it is not one)."""
	text = (text or "").strip()
	if fieldtype in INT_TYPES:
		value = int(text)
		if fieldtype == "Check" and value not in (0, 1):
			raise ValueError(text)
		return value
	if fieldtype in FLOAT_TYPES:
		return float(text)
	if fieldtype in DATE_TYPES:
		return date.fromisoformat(text)
	if fieldtype in DATETIME_TYPES:
		return datetime.fromisoformat(text)
	if not text:
		raise ValueError("empty")
	return text


# --- evaluation ------------------------------------------------------------------------------------


def run_check(check: Check, facts: ClaimFacts, fieldtype: str = "Data") -> bool:
	"""The answer of an automatic check on this claim's data (True: "Yes")."""
	if check.data_check:
		return _data_check(check, facts)
	values = {"Claim": facts.claim, "Serial No": facts.serial, "Item": facts.item}.get(check.source) or {}
	actual = _as_type(values.get(check.fieldname), fieldtype)
	if check.operator == "is set":
		return actual not in (None, "")
	if check.operator == "is not set":
		return actual in (None, "")
	expected = [parse_value(t, fieldtype) for t in _value_texts(check)]
	if check.operator == "in":
		return actual in expected
	if check.operator == "not in":
		return actual not in expected
	want = expected[0]
	if check.operator == "=":
		return actual == want
	if check.operator == "!=":
		return actual != want
	if actual in (None, ""):
		return False  # an empty value is neither more nor less than anything
	return {
		">": actual > want,
		">=": actual >= want,
		"<": actual < want,
		"<=": actual <= want,
	}[check.operator]


def _as_type(value, fieldtype: str):
	if value in (None, ""):
		return 0 if fieldtype in INT_TYPES else (0.0 if fieldtype in FLOAT_TYPES else None)
	if fieldtype in INT_TYPES:
		return int(value)
	if fieldtype in FLOAT_TYPES:
		return float(value)
	if fieldtype in DATE_TYPES:
		return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
	if fieldtype in DATETIME_TYPES:
		return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
	return str(value).strip()


def _data_check(check: Check, facts: ClaimFacts) -> bool:
	on = facts.claim_date
	if on is None:
		return False
	if check.data_check in ("serial_under_warranty", "serial_under_amc"):
		key = "warranty_expiry_date" if check.data_check == "serial_under_warranty" else "amc_expiry_date"
		until = _as_type((facts.serial or {}).get(key), "Date")
		return until is not None and until >= on
	if check.data_check == "delivered_within_days":
		return facts.delivered_on is not None and on - facts.delivered_on < timedelta(days=check.days)
	raise RouteError("unknown_data_check", check.data_check)


def evaluate(
	route: Route,
	answers: Mapping[str, str],
	facts: ClaimFacts,
	fieldtypes: Mapping[tuple[str, str], str] | None = None,
) -> Position:
	"""Walk from the root: a question takes the user's answer (or the claim waits there), an
	automatic check answers itself, a leaf ends the walk. `fieldtypes`: (source, field) -> type."""
	fieldtypes = fieldtypes or {}
	path: list[Step] = []
	name = route.root
	for _ in range(len(route.nodes) + 1):
		node = route[name]
		if node.kind == KIND_LEAF:
			return Position(tuple(path), leaf=name)
		if node.kind == KIND_CHECK:
			check = node.check or Check()
			ok = run_check(check, facts, fieldtypes.get((check.source, check.fieldname), "Data"))
			chosen = node.answer_for(YES if ok else NO)
			step = Step(name, node.question, YES if ok else NO, automatic=True)
		else:
			given = answers.get(name)
			chosen = node.answer_for(given) if given is not None else None
			if chosen is None:
				return Position(tuple(path), waiting_at=name)
			step = Step(name, node.question, chosen.label)
		if chosen is None or chosen.child not in route.nodes:
			raise RouteError("broken_route", name)
		path.append(step)
		name = chosen.child
	raise RouteError("cycle", name)


def answers_of(path: Iterable[Step]) -> dict[str, str]:
	"""The user's answers recorded on a path (automatic ones are re-evaluated, never replayed)."""
	return {s.node: s.answer for s in path if not s.automatic}


def answer(
	route: Route,
	path: Iterable[Step],
	node: str,
	label: str,
	facts: ClaimFacts,
	fieldtypes: Mapping[tuple[str, str], str] | None = None,
) -> AnswerResult:
	"""Give `label` as the answer to question `node` of a claim whose path so far is `path`.

	The node must be the question the claim waits at, or a question answered earlier on its path.
	Changing an earlier answer cuts the path after that node (the later answers are dropped and
	returned in `removed`) and routes on from there."""
	if node not in route.nodes:
		raise RouteError("unknown_node", node)
	target = route[node]
	if target.kind == KIND_CHECK:
		raise RouteError("automatic_node", node)
	if target.kind == KIND_LEAF:
		raise RouteError("leaf_node", node)
	chosen = target.answer_for(label)
	if chosen is None:
		raise RouteError("unknown_answer", node, label, tuple(a.label for a in target.answers))
	path = tuple(path)
	current = evaluate(route, answers_of(path), facts, fieldtypes)
	on_path = [i for i, s in enumerate(current.path) if s.node == node]
	if on_path:
		index = on_path[0]
		old = current.path[index]
		kept = current.path[:index]
		removed = current.path[index:]
		if normalize(old.answer) == normalize(chosen.label):
			return AnswerResult(current)
		new = evaluate(route, {**answers_of(kept), node: chosen.label}, facts, fieldtypes)
		return AnswerResult(new, removed=tuple(removed), changed=old)
	if current.waiting_at != node:
		raise RouteError("not_on_path", node, current.current)
	new = evaluate(route, {**answers_of(current.path), node: chosen.label}, facts, fieldtypes)
	return AnswerResult(new)
