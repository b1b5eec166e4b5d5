"""Running totals of the open cards (Funnel Forecast Total), for Funnel Forecast.

A totals row holds how many cards sit in an Open stage, and their amount, per card type × funnel ×
stage × expected-close month × owner × company, at four detail levels:

- BY_COMPANY (1): those dimensions only — a few rows per funnel, stage and month;
- BY_SOURCE (2): and the source;  BY_TERRITORY (3): and the territory;
- FULL (0): and both.

The report reads the smallest level that carries every filter and scope it needs. The weighted
amount is not stored: the report applies the stage's probability of today to the stage's amount
(the same arithmetic as counting the cards one by one), so changing a probability needs no rebuild.

The app keeps the totals itself, in the transaction of every write to the current-stage table
(Funnel Card State) — no database triggers (a restored backup would carry their definer):

- one card's state row written (a move, a save that changed its amount, owner, close date,
  company, source, territory or funnel): `replace_card` — ONE statement that takes the row as
  it is in the table out of its totals rows and puts the new values in (an atomic
  `INSERT … SELECT … ON DUPLICATE KEY UPDATE cards = cards + …` of up to 8 rows, numbers and
  parameters only, the rows locked in key order so two moves crossing the same rows wait for each
  other instead of deadlocking);
- a state row deleted (the card deleted or taken out of every funnel): `remove_card`;
- many rows changed by SQL (a stage renamed, a stage kind changed, a card type taken down):
  `take_out(where)` before and `put_in(where)` after, aggregated per totals row;
- `rebuild(funnel)`: the totals of a funnel (or all) recomputed from the current-stage table.

A row's key (`name`) is its level, a prefix of the funnel's md5 and an md5 of its level and
dimensions, computed by the database from the state row or from the new values with the same
expression, so the two can never disagree. Rows
that fall to zero stay (the report skips them) until the next rebuild drops them.
"""

from __future__ import annotations

import hashlib

import frappe
from frappe.utils import now_datetime

STATE = "Funnel Card State"  # summary.STATE (summary imports this module: no import back)
TOTALS = "Funnel Forecast Total"

FULL, BY_COMPANY, BY_SOURCE, BY_TERRITORY = 0, 1, 2, 3
LEVELS = (FULL, BY_COMPANY, BY_SOURCE, BY_TERRITORY)
# level -> (keeps source, keeps territory)
KEEPS = {FULL: (1, 1), BY_COMPANY: (0, 0), BY_SOURCE: (1, 0), BY_TERRITORY: (0, 1)}
_LEVELS_SQL = (
	"(" + " union all ".join(f"select {lvl} lvl, {s} ks, {t} kt" for lvl, (s, t) in KEEPS.items()) + ")"
)

# the state columns a totals row depends on (summary._state_row writes them in this order, from
# index 0 = reference_doctype; see card_values)
DIMENSIONS = ("reference_doctype", "funnel", "stage", "month", "card_owner", "company", "source", "territory")
_COLUMNS = (
	"name",
	"creation",
	"modified",
	"modified_by",
	"owner",
	"docstatus",
	"idx",
	"level",
	*DIMENSIONS,
	"cards",
	"amount",
)
_INSERT = f"insert into `tab{TOTALS}` ({', '.join(f'`{c}`' for c in _COLUMNS)})"
_ADD = (
	" on duplicate key update `cards` = `cards` + values(`cards`), `amount` = `amount` + values(`amount`),"
	" `modified` = values(`modified`)"
)


def level_for(source: bool, territory: bool) -> int:
	"""The smallest level that keeps the dimensions a question needs."""
	return {(False, False): BY_COMPANY, (True, False): BY_SOURCE, (False, True): BY_TERRITORY}.get(
		(source, territory), FULL
	)


def _dims(a: str) -> dict[str, str]:
	"""The totals row's dimensions of the state row (or values) aliased `a`, at the level of the
	levels table aliased `l`. '%' is doubled: the SQL is sent with parameters."""
	return {
		"reference_doctype": f"ifnull({a}.reference_doctype, '')",
		"funnel": f"ifnull({a}.funnel, '')",
		"stage": f"ifnull({a}.stage, '')",
		"month": f"date_format({a}.expected_close, '%%Y-%%m-01')",
		"card_owner": f"ifnull({a}.card_owner, '')",
		"company": f"ifnull({a}.company, '')",
		"source": f"if(l.ks, ifnull({a}.source, ''), '')",
		"territory": f"if(l.kt, ifnull({a}.territory, ''), '')",
	}


def _key(a: str) -> str:
	"""level, 10 hex digits of the funnel's md5, md5 of the level and every dimension: InnoDB stores
	a level's rows of one funnel together (the table is clustered on the key), so the report reads
	them as one contiguous range (name_range)."""
	dims = _dims(a)
	parts = ["l.lvl", *(f"ifnull({dims[c]}, '')" for c in DIMENSIONS)]
	return f"concat(l.lvl, left(md5({dims['funnel']}), 10), md5(concat_ws(char(31), {', '.join(parts)})))"


def name_range(level: int, funnel: str | None = None) -> tuple[str, str]:
	"""Primary-key bounds [low, high) of a level's rows (of one funnel)."""
	prefix = f"{level}{hashlib.md5(funnel.encode()).hexdigest()[:10]}" if funnel else str(level)
	# "z" sorts after the hex digits in the site's collation (see summary.summary_range)
	return prefix, f"{prefix}z"


def _select(a: str, source: str, where: str, sign: int, grouped: bool) -> str:
	"""Totals rows (k, lvl, c0…c7 = DIMENSIONS, n = cards, a = amount) of the open rows of `source`
	aliased `a`: one per state row and level, or aggregated per key."""
	dims = _dims(a)
	if grouped:
		columns = [f"min({dims[c]})" for c in DIMENSIONS]
		numbers = f"{sign} * count(*) n, {sign} * sum(ifnull({a}.amount, 0)) a"
		tail = " group by k"
	else:
		columns = [dims[c] for c in DIMENSIONS]
		numbers = f"{sign} n, {sign} * ifnull({a}.amount, 0) a"
		tail = ""
	named = ", ".join(f"{column} c{i}" for i, column in enumerate(columns))
	return (
		f"select {_key(a)} k, l.lvl lvl, {named}, {numbers} from {source} {a} join {_LEVELS_SQL} l"
		f" where {a}.stage_type = 'Open' and ({where}){tail}"
	)


_OUTER = "d.k, %(now)s, %(now)s, %(user)s, %(user)s, 0, 0, d.lvl, " + ", ".join(
	f"d.c{i}" for i in range(len(DIMENSIONS))
)


def _upsert(*selects: str) -> str:
	"""Add the rows of the selects to the totals in key order (the locks are taken in that order)."""
	union = " union all ".join(f"({select})" for select in selects)
	return f"{_INSERT} select {_OUTER}, d.n, d.a from ({union}) d order by d.k{_ADD}"


def _meta() -> dict:
	return {"now": now_datetime(), "user": frappe.session.user}


_NEW_COLUMNS = (
	"reference_doctype",
	"funnel",
	"stage",
	"stage_type",
	"expected_close",
	"amount",
	"company",
	"card_owner",
	"source",
	"territory",
)


def card_values(row: tuple) -> dict:
	"""The values of a state row as summary._state_row builds them, by column."""
	doctype, _name, _title, funnel, stage, kind, _since, _stale, close, amount, *dims = row
	company, owner, source, territory = dims
	return dict(
		zip(
			_NEW_COLUMNS,
			(doctype, funnel, stage, kind, close, amount, company, owner, source, territory),
			strict=True,
		)
	)


def replace_card(state_name: str, new: dict | None) -> None:
	"""Before one card's state row is written (`new`: its new values by column) or deleted (None):
	the row as it is in the table leaves the totals, the new values enter them. One statement."""
	params = {**_meta(), "state": state_name}
	selects = [_select("o", f"`tab{STATE}`", "o.name = %(state)s", -1, grouped=False)]
	if new is not None:
		values = ", ".join(f"%(new_{c})s `{c}`" for c in _NEW_COLUMNS)
		params.update({f"new_{c}": new.get(c) for c in _NEW_COLUMNS})
		selects.append(_select("c", f"(select {values})", "1=1", 1, grouped=False))
	frappe.db.sql(_upsert(*selects), params)


def remove_card(state_name: str) -> None:
	"""Before one card's state row is deleted."""
	replace_card(state_name, None)


def take_out(where: str, params: dict | None = None) -> None:
	"""Before the state rows matching `where` (conditions on alias o, values as parameters) change
	or go by SQL: their contributions leave the totals (aggregated per totals row)."""
	_bulk(where, params, -1)


def put_in(where: str, params: dict | None = None) -> None:
	"""After the state rows matching `where` were written by SQL: they enter the totals."""
	_bulk(where, params, 1)


def _bulk(where: str, params: dict | None, sign: int) -> None:
	frappe.db.sql(
		_upsert(_select("o", f"`tab{STATE}`", where, sign, grouped=True)),
		{**(params or {}), **_meta()},
	)


def rebuild(funnel: str | None = None) -> int:
	"""The totals (of one funnel, or all) from the current-stage table, in the caller's
	transaction; rows at zero are gone afterwards. Returns the row count."""
	if funnel:
		frappe.db.delete(TOTALS, {"funnel": funnel})
		put_in("o.funnel = %(rebuild_funnel)s", {"rebuild_funnel": funnel})
	else:
		frappe.db.delete(TOTALS)
		put_in("1=1")
	return frappe.db.count(TOTALS, {"funnel": funnel} if funnel else None)


def rebuild_if_missing() -> bool:
	"""after_install / after_migrate: build the totals once when there are open cards but no
	totals (a site from before them, a restored backup without the table's rows)."""
	has_open = frappe.db.sql(f"select 1 from `tab{STATE}` where stage_type = 'Open' limit 1")
	if has_open and not frappe.db.sql(f"select 1 from `tab{TOTALS}` limit 1"):
		rebuild()
		return True
	return False


# --- checks -------------------------------------------------------------------------------


def recompute(funnel: str | None = None, level: int = FULL) -> dict[tuple, tuple[int, float]]:
	"""What the totals of a level must hold, counted from the current-stage table:
	dimensions -> (cards, amount)."""
	keeps_source, keeps_territory = KEEPS[level]
	dims = _dims("s")
	columns = [
		dims[c].replace("l.ks", str(keeps_source)).replace("l.kt", str(keeps_territory)) for c in DIMENSIONS
	]
	return _as_map(
		frappe.db.sql(
			f"""select {", ".join(columns)}, count(*), sum(ifnull(s.amount, 0))
			from `tab{STATE}` s where s.stage_type = 'Open' {"and s.funnel = %(funnel)s" if funnel else ""}
			group by {", ".join(str(i + 1) for i in range(len(DIMENSIONS)))}""",
			{"funnel": funnel},
		)
	)


def stored(funnel: str | None = None, level: int = FULL) -> dict[tuple, tuple[int, float]]:
	"""What the totals of a level hold (rows at zero skipped)."""
	return _as_map(
		frappe.db.sql(
			f"""select {", ".join(f"`{c}`" for c in DIMENSIONS)}, sum(cards), sum(amount)
			from `tab{TOTALS}` where level = %(level)s {"and funnel = %(funnel)s" if funnel else ""}
			group by {", ".join(str(i + 1) for i in range(len(DIMENSIONS)))}""",
			{"funnel": funnel, "level": level},
		)
	)


def _as_map(rows) -> dict[tuple, tuple[int, float]]:
	result = {}
	for *key, cards, amount in rows:
		if int(cards or 0) == 0 and abs(float(amount or 0)) < 1e-9:
			continue
		# grouped by the database's collation on both sides: compare without the case of the value
		# that happened to come first
		result[tuple(str(v or "").lower() for v in key)] = (int(cards), round(float(amount or 0), 6))
	return result
