"""A minimal Jinja sandbox for templates written by users other than System Managers (the
messages and webhook bodies of cadence steps). No Frappe here: nothing of the host is reachable.

What a template gets:
- names: only those the caller passes (`doc`, `card`, `funnel`, `stage`, ...); a card is a
  read-only `Record` of plain values (text, numbers, dates; child tables as tuples of Records),
  never a Document: `doc.first_name` reads a field, nothing else can be reached through it;
- filters: a short list of harmless ones (`FILTERS`: default, upper/lower/title/trim/truncate,
  tojson, date, number, join, length...), each result bounded in size;
- tags: `if`, `for` (at most two deep, `LOOP_TURNS` turns per render), `filter`, comments.

What it does not get: function calls (`x()`), attribute access to anything but a Record's fields
and a loop's counters, `set`/`macro`/`import`/`include`/`extends`/`block`/`with`, Jinja's globals
(`range`, `lipsum`, `cycler`, `joiner`, `namespace`, `dict`), `%` string formatting, and
`*`/`**` beyond small results. The output is limited to `MAX_OUTPUT` characters.

Every refusal is a `TemplateRefused(code, subject)`; the caller turns it into a translated message.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from functools import wraps

from jinja2 import Undefined, meta, nodes
from jinja2 import filters as jinja_filters
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE = 20_000  # characters of template text
MAX_OUTPUT = 20_000  # characters a render may produce
MAX_VALUE = 20_000  # characters (or items) of any value a filter or an operator produces
MAX_INT_BITS = 4_096
LOOP_TURNS = 2_000  # loop turns per render, all loops together
MAX_LOOP_DEPTH = 2

LOOP_ATTRIBUTES = frozenset(
	("index", "index0", "revindex", "revindex0", "first", "last", "length", "depth", "depth0")
)
FORBIDDEN_NODES = {
	nodes.Call: "call",
	nodes.Extends: "{% extends %}",
	nodes.Include: "{% include %}",
	nodes.Import: "{% import %}",
	nodes.FromImport: "{% from ... import %}",
	nodes.Macro: "{% macro %}",
	nodes.CallBlock: "{% call %}",
	nodes.Block: "{% block %}",
	nodes.Assign: "{% set %}",
	nodes.AssignBlock: "{% set %}",
	nodes.With: "{% with %}",
	nodes.NSRef: "{% set %}",
}
LOOP_FILTER = "fs_bounded_loop"

_turns: ContextVar[list[int]] = ContextVar("funnel_suite_template_turns")


class TemplateRefused(Exception):
	"""code: syntax | call | tag | attribute | operator | filter | unknown_name | too_large | error;
	subject: what was refused (the expression, tag, name or the engine's message)."""

	def __init__(self, code: str, subject: str = ""):
		self.code, self.subject = code, subject
		super().__init__(f"{code}: {subject}" if subject else code)


class Record(Mapping):
	"""A card's values as a template sees them: read-only, and `record.x` is the field x.
	`missing` gives a value for any absent field (used to validate with a sample card)."""

	__slots__ = ("_missing", "_values")

	def __init__(self, values: Mapping, missing: Callable[[str], object] | None = None):
		self._values = {str(k): plain(v) for k, v in values.items()}
		self._missing = missing

	def __getitem__(self, key):
		if key in self._values:
			return self._values[key]
		if self._missing is not None and isinstance(key, str):
			return plain(self._missing(key))
		raise KeyError(key)

	def __contains__(self, key) -> bool:
		return key in self._values

	def __iter__(self):
		return iter(self._values)

	def __len__(self) -> int:
		return len(self._values)

	def __repr__(self) -> str:
		return repr(self._values)


SCALARS = (str, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)


def plain(value):
	"""A value a template may hold: scalars as they are, mappings as Records, sequences as tuples,
	anything else as its text."""
	if value is None or isinstance(value, bool | Record):
		return value
	if isinstance(value, SCALARS):
		return str(value) if isinstance(value, str) and type(value) is not str else value
	if isinstance(value, Mapping):
		missing = getattr(type(value), "__missing__", None)
		return Record(value, (lambda key, v=value: missing(v, key)) if missing else None)
	if isinstance(value, list | tuple | set | frozenset):
		return tuple(plain(v) for v in value)
	return str(value)


# ---------------------------------------------------------------------------------------------
# filters


def _size(value) -> int:
	if isinstance(value, str | tuple | list | Record):
		return len(value)
	if isinstance(value, int) and not isinstance(value, bool):
		return value.bit_length() // 8
	return 0


def _bounded(fn):
	@wraps(fn)  # keeps Jinja's pass_context/pass_environment marks
	def wrapper(*args, **kwargs):
		result = fn(*args, **kwargs)
		if _size(result) > MAX_VALUE:
			raise TemplateRefused("too_large", str(MAX_VALUE))
		return result

	return wrapper


def _json_default(value):
	if isinstance(value, Record):
		return dict(value._values)
	if isinstance(value, decimal.Decimal):
		return float(value)
	if isinstance(value, datetime.date | datetime.time):
		return value.isoformat()
	return str(value)


def to_json(value, indent=None) -> str:
	indent = max(0, min(int(indent), 4)) if indent else None
	return json.dumps(value, default=_json_default, ensure_ascii=False, indent=indent, sort_keys=False)


def _as_date(value):
	if isinstance(value, str):
		try:
			return datetime.datetime.fromisoformat(value.strip())
		except ValueError:
			return None
	return value if isinstance(value, datetime.date | datetime.time) else None


def format_date(value, fmt: str = "%d.%m.%Y") -> str:
	"""`{{ doc.transaction_date | date }}`, `| date('%d %b %Y %H:%M')`; empty stays empty."""
	if value in (None, ""):
		return ""
	moment = _as_date(value)
	if moment is None:
		return str(value)
	return moment.strftime(str(fmt)[:64])


def format_number(value, decimals: int = 2) -> str:
	"""`{{ doc.opportunity_amount | number }}` → 12,500.00; `| number(0)` → 12,500."""
	if value in (None, ""):
		return ""
	try:
		number = float(value)
	except (TypeError, ValueError):
		return str(value)
	decimals = max(0, min(int(decimals), 6))
	return f"{number:,.{decimals}f}"


def _loop(value):
	budget = _turns.get()
	for item in value if value is not None else ():
		budget[0] -= 1
		if budget[0] < 0:
			raise TemplateRefused("too_large", str(LOOP_TURNS))
		yield item


JINJA_FILTERS = (
	"abs",
	"capitalize",
	"count",
	"d",
	"default",
	"e",
	"escape",
	"first",
	"float",
	"int",
	"join",
	"last",
	"length",
	"lower",
	"max",
	"min",
	"reverse",
	"round",
	"string",
	"striptags",
	"sum",
	"title",
	"trim",
	"truncate",
	"upper",
	"urlencode",
	"wordcount",
)
OWN_FILTERS = {"tojson": to_json, "date": format_date, "number": format_number}
FILTERS = tuple(sorted((*JINJA_FILTERS, *OWN_FILTERS)))


# ---------------------------------------------------------------------------------------------
# the environment


def _number(value) -> bool:
	return isinstance(value, int | float | decimal.Decimal)


class CadenceSandbox(ImmutableSandboxedEnvironment):
	"""Stricter than Jinja's immutable sandbox: attributes only of Records and loops, items only
	of Records, tuples, lists, dicts and strings, no globals, bounded operators."""

	intercepted_binops = frozenset(("*", "**", "%", "//", "/"))

	def __init__(self, filters: Mapping[str, Callable] | None = None):
		super().__init__(autoescape=False, finalize=lambda v: "" if v is None else v, undefined=Undefined)
		self.globals.clear()
		chosen = {name: jinja_filters.FILTERS[name] for name in JINJA_FILTERS}
		chosen.update(OWN_FILTERS)
		chosen.update(filters or {})
		self.filters = {name: _bounded(fn) for name, fn in chosen.items()}
		self.filters[LOOP_FILTER] = _loop

	def is_safe_attribute(self, obj, attr, value) -> bool:
		return isinstance(obj, LoopContext) and attr in LOOP_ATTRIBUTES

	def is_safe_callable(self, obj) -> bool:
		return False

	def getattr(self, obj, attribute):
		if isinstance(obj, Undefined):
			return obj._fail_with_undefined_error()
		if isinstance(obj, Record | dict):
			return self.getitem(obj, attribute)
		if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
			return getattr(obj, attribute)
		raise SecurityError(f"{type(obj).__name__}.{attribute}")

	def getitem(self, obj, argument):
		if isinstance(obj, Undefined):
			return obj._fail_with_undefined_error()
		if isinstance(argument, str) and argument.startswith("_"):
			raise SecurityError(f"{type(obj).__name__}.{argument}")
		if isinstance(obj, Record | dict | tuple | list | str):
			try:
				return obj[argument]
			except (TypeError, LookupError):
				return self.undefined(obj=obj, name=argument)
		raise SecurityError(f"{type(obj).__name__}[{argument!r}]")

	def call(__self, __context, __obj, *args, **kwargs):
		raise SecurityError("call")

	def call_binop(self, context, operator, left, right):
		if not (_number(left) and _number(right)):
			if operator != "*" or not (
				(isinstance(left, str | tuple | list) and isinstance(right, int))
				or (isinstance(right, str | tuple | list) and isinstance(left, int))
			):
				raise TemplateRefused("operator", f"{type(left).__name__} {operator} {type(right).__name__}")
			count, sequence = (right, left) if isinstance(right, int) else (left, right)
			if count * len(sequence) > MAX_VALUE:
				raise TemplateRefused("too_large", str(MAX_VALUE))
		elif isinstance(left, int) and isinstance(right, int):
			if operator == "**" and (right > 0 and left.bit_length() * right > MAX_INT_BITS):
				raise TemplateRefused("too_large", str(MAX_VALUE))
			if operator == "*" and left.bit_length() + right.bit_length() > MAX_INT_BITS:
				raise TemplateRefused("too_large", str(MAX_VALUE))
		elif operator == "**" and abs(right) > 1000:
			raise TemplateRefused("too_large", str(MAX_VALUE))
		return super().call_binop(context, operator, left, right)


_ENVIRONMENTS: dict[tuple, CadenceSandbox] = {}


def environment(filters: Mapping[str, Callable] | None = None) -> CadenceSandbox:
	key = tuple(sorted((filters or {}).items(), key=lambda item: item[0]))
	if key not in _ENVIRONMENTS:
		_ENVIRONMENTS[key] = CadenceSandbox(filters)
	return _ENVIRONMENTS[key]


def _expression(node: nodes.Node) -> str:
	"""A short readable form of an expression node for messages (frappe.throw, foo.bar)."""
	if isinstance(node, nodes.Name):
		return node.name
	if isinstance(node, nodes.Getattr):
		return f"{_expression(node.node)}.{node.attr}"
	if isinstance(node, nodes.Getitem):
		return f"{_expression(node.node)}[...]"
	if isinstance(node, nodes.Call):
		return f"{_expression(node.node)}(...)"
	if isinstance(node, nodes.Const):
		return repr(node.value)[:40]
	return type(node).__name__


def _check_nodes(env: CadenceSandbox, node: nodes.Node, depth: int = 0) -> None:
	for kind, label in FORBIDDEN_NODES.items():
		if isinstance(node, kind):
			if kind is nodes.Call:
				raise TemplateRefused("call", _expression(node))
			raise TemplateRefused("tag", label)
	if isinstance(node, nodes.Name) and node.name == "self":
		raise TemplateRefused("unknown_name", node.name)
	if isinstance(node, nodes.Getattr) and (node.attr.startswith("_")):
		raise TemplateRefused("attribute", _expression(node))
	if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
		if isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
			raise TemplateRefused("attribute", f"{_expression(node.node)}[{node.arg.value!r}]")
	if isinstance(node, nodes.Filter | nodes.FilterBlock) and node.name not in env.filters:
		raise TemplateRefused("filter", node.name)
	if isinstance(node, nodes.Filter) and node.name == LOOP_FILTER:
		raise TemplateRefused("filter", node.name)
	if isinstance(node, nodes.For):
		if node.recursive:
			raise TemplateRefused("tag", "{% for ... recursive %}")
		depth += 1
		if depth > MAX_LOOP_DEPTH:
			raise TemplateRefused("tag", "{% for %} " * depth)
	for child in node.iter_child_nodes():
		_check_nodes(env, child, depth)


def _bound_loops(node: nodes.Node) -> None:
	"""Every `for x in y` becomes `for x in y|fs_bounded_loop` (counts turns against the budget)."""
	for loop in node.find_all(nodes.For):
		loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.lineno)


def compile_template(source: str, names: Iterable[str], filters: Mapping[str, Callable] | None = None):
	"""The compiled template, or TemplateRefused (syntax, forbidden construct, unknown name)."""
	source = source or ""
	if len(source) > MAX_TEMPLATE:
		raise TemplateRefused("too_large", str(MAX_TEMPLATE))
	env = environment(filters)
	try:
		tree = env.parse(source)
	except TemplateSyntaxError as err:
		raise TemplateRefused("syntax", _syntax_detail(err)) from None
	_check_nodes(env, tree)
	unknown = sorted(meta.find_undeclared_variables(tree) - set(names))
	if unknown:
		raise TemplateRefused("unknown_name", unknown[0])
	_bound_loops(tree)
	try:
		return env.from_string(tree)
	except TemplateSyntaxError as err:
		raise TemplateRefused("syntax", _syntax_detail(err)) from None


def _syntax_detail(err: TemplateSyntaxError) -> str:
	return f"line {err.lineno}: {err.message}" if err.lineno else str(err.message)


def render(source: str, context: Mapping, filters: Mapping[str, Callable] | None = None) -> str:
	"""Render `source` with `context` (values converted by `plain`); TemplateRefused on anything
	the sandbox refuses or cannot render."""
	template = compile_template(source, context.keys(), filters)
	values = {name: plain(value) for name, value in context.items()}
	token = _turns.set([LOOP_TURNS])
	parts, size = [], 0
	try:
		for part in template.generate(values):
			size += len(part)
			if size > MAX_OUTPUT:
				raise TemplateRefused("too_large", str(MAX_OUTPUT))
			parts.append(part)
	except TemplateRefused:
		raise
	except SecurityError as err:
		subject = str(err)
		raise TemplateRefused("call" if subject == "call" else "attribute", subject) from None
	except UndefinedError as err:
		raise TemplateRefused("error", str(err.message or err)) from None
	except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as err:
		raise TemplateRefused("error", f"{type(err).__name__}: {err}"[:300]) from None
	finally:
		_turns.reset(token)
	return "".join(parts)
