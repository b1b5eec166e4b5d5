"""Keeping the Stage Velocity histograms (Funnel Velocity Bucket): how many cards left each stage
after how long, per log-spaced duration bucket (`funnel_suite.engine.velocity`), per day and per
month, per company and at most one more dimension (owner, source or territory).

Derived data like the summary (`summary.py`): a move that takes a card out of a stage adds to its
buckets in the move's own transaction (one INSERT … ON DUPLICATE KEY UPDATE, numbers and keys as
parameters), a deleted card's moves are taken back out, and the whole table can be rebuilt from
the move log (`bench --site X funnel-suite-rebuild-analytics`, after install / migrate when it is
empty, and the patch for existing sites). The cells a move fills come from the pure engine, for
the live path and the rebuild alike.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import frappe
from frappe.utils import get_datetime, getdate, now_datetime

from funnel_suite.engine import analytics, velocity
from funnel_suite.funnel_analytics.summary import iter_log

TABLE = "Funnel Velocity Bucket"
GRAIN_CODES = {"Day": "D", "Month": "M"}
DIMENSION_CODES = {"": "C", "card_owner": "O", "source": "S", "territory": "T"}
_META = ("creation", "modified", "modified_by", "owner", "docstatus", "idx")
COLUMNS = (
	"name",
	*_META,
	"funnel",
	"grain",
	"period",
	"stage",
	"company",
	"dimension",
	"dimension_value",
	"bucket",
	"exits",
	"seconds",
)
_ADD = "`exits` = `exits` + values(`exits`), `seconds` = `seconds` + values(`seconds`), `modified` = values(`modified`)"


@functools.lru_cache(maxsize=65536)
def _md5(text: str, length: int) -> str:
	return hashlib.md5(text.encode()).hexdigest()[:length]


@functools.lru_cache(maxsize=65536)
def range_prefix(funnel: str, grain: str, dimension: str, value: str) -> str:
	"""The primary key's start: a funnel's rows of one grain and one dimension value are stored
	together (InnoDB clusters the table on it), in period order."""
	return f"{_md5(funnel, 10)}{GRAIN_CODES[grain]}{DIMENSION_CODES[dimension]}{_md5(value or '', 8)}"


def cell_name(key: tuple, bucket: int) -> str:
	"""The row's primary key (key as `velocity.exit_cells` gives it: its period is a date)."""
	funnel, grain, period, stage, company, dimension, value = key
	tail = _md5(f"{stage}\x1f{company or ''}", 10)
	return f"{range_prefix(funnel, grain, dimension, value)}{period:%Y%m%d}{tail}{int(bucket):03d}"


def key_range(funnel: str, grain: str, dimension: str, value: str, start, end) -> tuple[str, str]:
	"""Primary-key bounds [low, high) of those rows between two periods (inclusive)."""
	prefix = range_prefix(funnel, grain, dimension, value)
	# "z" sorts after the hex tail in the site's collation
	return f"{prefix}{getdate(start):%Y%m%d}", f"{prefix}{getdate(end):%Y%m%d}z"


# --- what moves add -----------------------------------------------------------------------


def _cells(rows: Iterable[Mapping[str, Any]]) -> dict[str, list]:
	"""name -> [key, bucket, exits, seconds] of the moves that took a card out of a stage."""
	cells: dict[str, list] = {}
	for row in rows:
		if not row.get("from_stage"):
			continue  # the card entered its first stage: nothing was left
		funnel = row.get("from_funnel") or row["funnel"]
		for key, bucket, seconds in velocity.exit_cells(
			funnel,
			row["from_stage"],
			get_datetime(row["moved_on"]),
			row.get("seconds_in_from_stage") or 0,
			row,
		):
			name = cell_name(key, bucket)
			cell = cells.get(name)
			if cell is None:
				cells[name] = [key, bucket, 1, seconds]
			else:
				cell[2] += 1
				cell[3] += seconds
	return cells


def _upsert(cells: dict[str, list], sign: int = 1, chunk: int = 2000) -> None:
	"""Add (sign=-1: subtract) the cells, in key order: two moves counted into the same rows at
	once lock them in the same order (no deadlock)."""
	if not cells:
		return
	now, user = now_datetime(), frappe.session.user
	names = sorted(cells)
	row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
	for start in range(0, len(names), chunk):
		part = names[start : start + chunk]
		values: list = []
		for name in part:
			key, bucket, exits, seconds = cells[name]
			funnel, grain, period, stage, company, dimension, value = key
			values.extend((name, now, now, user, user, 0, 0))
			values.extend((funnel, grain, period, stage, company, dimension, value, bucket))
			values.extend((sign * exits, sign * seconds))
		frappe.db.sql(
			f"insert into `tab{TABLE}` ({', '.join(f'`{c}`' for c in COLUMNS)}) "
			f"values {', '.join([row] * len(part))} on duplicate key update {_ADD}",
			values,
		)


def on_card_moved(doc, entries: list[dict]) -> None:
	"""`funnel_on_move` hook: the stage the card left gets its time there counted, in the move's
	transaction — one statement, none when the card left no stage."""
	_upsert(_cells(entries))


def on_card_deleted(doc, log: list[dict]) -> None:
	"""`funnel_on_card_delete` hook: the deleted card's moves leave the histograms; rows left with
	no move are removed, so the table equals a rebuild from the remaining log."""
	cells = _cells(log)
	if not cells:
		return
	_upsert(cells, sign=-1)
	frappe.db.sql(f"delete from `tab{TABLE}` where name in %(names)s and exits = 0", {"names": tuple(cells)})


# --- rebuild ------------------------------------------------------------------------------


def _delete(funnel: str | None) -> None:
	if not funnel:
		frappe.db.sql(f"delete from `tab{TABLE}`")
		return
	prefix = _md5(funnel, 10)
	frappe.db.sql(
		f"delete from `tab{TABLE}` where name >= %(low)s and name < %(high)s and funnel = %(funnel)s",
		{"low": prefix, "high": f"{prefix}z", "funnel": funnel},
	)


def rebuild_velocity(funnel: str | None = None, flush_at: int = 200000) -> int:
	"""Recompute the histograms (of one funnel, or all) from the move log. Returns the row count.

	The log is read in id order a chunk at a time; the cells are written whenever many are held
	(a later write adds to the rows an earlier one made), so memory stays flat."""
	_delete(funnel)
	pending: dict[str, list] = {}
	rows: list[dict] = []

	def flush() -> None:
		cells = _cells(rows)
		if funnel:
			cells = {n: c for n, c in cells.items() if c[0][0] == funnel}
		for name, cell in cells.items():
			held = pending.get(name)
			if held is None:
				pending[name] = cell
			else:
				held[2] += cell[2]
				held[3] += cell[3]
		rows.clear()

	for row in iter_log(funnel):
		rows.append(row)
		if len(rows) >= 20000:
			flush()
			if len(pending) >= flush_at:
				_upsert(pending)
				pending.clear()
	flush()
	_upsert(pending)
	if not funnel:
		return int(frappe.db.sql(f"select count(*) from `tab{TABLE}`")[0][0])
	prefix = _md5(funnel, 10)
	return int(
		frappe.db.sql(
			f"select count(*) from `tab{TABLE}` where name >= %s and name < %s and funnel = %s",
			(prefix, f"{prefix}z", funnel),
		)[0][0]
	)


def _has_rows(doctype: str) -> bool:
	return bool(frappe.db.sql(f"select 1 from `tab{doctype}` limit 1"))


def rebuild_if_empty() -> None:
	"""After install / migrate: build the histograms once when there is history but none yet."""
	if not _has_rows(TABLE) and frappe.db.sql(
		"select 1 from `tabFunnel Transition` where from_stage is not null limit 1"
	):
		rebuild_velocity()


def rebuild_on_bulk_placement(*args, **kwargs) -> None:
	"""`funnel_on_bulk_placement` hook: cards placed in bulk had their moves logged without the
	per-move hooks."""
	rebuild_velocity()


# --- reading ------------------------------------------------------------------------------

# The report reads the move log itself while the period holds at most this many moves out of the
# funnel's stages (what the exact percentiles cost stays small), the histograms above that.
EXACT_LIMIT = 1000
# a user scope listing more values than this on the histograms' dimension is answered exactly
MAX_SCOPE_VALUES = 50


def histograms_for(f, scope) -> tuple[dict[str, velocity.Histogram], int] | None:
	"""(stage left -> histogram of the period for the report's filters and the user's scope,
	moves out of the funnel's stages in the period over every card) from the histogram rows, in
	one query; None when the rows cannot answer (the exact path must): a user scope only the
	host's list query expresses, or filters and scope on more than one of owner, source and
	territory."""
	if scope.exact:
		return None
	filtered = [c for c in ("company", "card_owner", "source", "territory") if getattr(f, c)]
	dimension = velocity.histogram_dimension(filtered, scope.dims)
	if dimension is None:
		return None
	if not dimension:
		values = [""]
	elif getattr(f, dimension):
		values = [getattr(f, dimension)]
	else:
		values = list(scope.dims[dimension])
		if len(values) > MAX_SCOPE_VALUES:
			return None
	plan = analytics.plan_period(f.from_date, f.to_date)
	parts = [("Month", *plan.months)] if plan.months else []
	parts += [("Day", start, end) for start, end in plan.days]
	params: dict = {"funnel": f.funnel, "dimension": dimension}
	ranges = []

	def add_ranges(dim: str, dim_values) -> None:
		for grain, start, end in parts:
			for value in dim_values:
				index = len(ranges)
				params[f"lo_{index}"], params[f"hi_{index}"] = key_range(
					f.funnel, grain, dim, value, start, end
				)
				ranges.append(f"(v.name >= %(lo_{index})s and v.name < %(hi_{index})s)")

	add_ranges(dimension, values)
	if dimension:
		add_ranges("", [""])  # the funnel's moves over every card, for the exact-or-histogram rule
	wanted = ["v.dimension = %(dimension)s"]
	if dimension:
		params["values"] = tuple(values)
		wanted.append("v.dimension_value in %(values)s")
	if f.company:
		params["company"] = f.company
		wanted.append("v.company = %(company)s")
	for column in ("company", dimension):
		if column and column in scope.dims:
			params[f"scope_{column}"] = tuple(scope.dims[column]) or ("\x00",)
			target = "v.company" if column == "company" else "v.dimension_value"
			wanted.append(f"{target} in %(scope_{column})s")
	rows = frappe.db.sql(
		f"""select v.stage, v.bucket, sum(if({" and ".join(wanted)}, v.exits, 0)),
			sum(if({" and ".join(wanted)}, v.seconds, 0)), sum(if(v.dimension = '', v.exits, 0))
		from `tab{TABLE}` v
		where v.funnel = %(funnel)s and ({" or ".join(ranges)})
		group by v.stage, v.bucket""",
		params,
	)
	by_stage: dict[str, velocity.Histogram] = {}
	moves_out = 0
	for stage, bucket, exits, seconds, every in rows:
		moves_out += int(every or 0)
		if exits:
			by_stage.setdefault(stage, velocity.Histogram()).add_bucket(
				int(bucket), int(exits), int(seconds or 0)
			)
	return by_stage, moves_out
