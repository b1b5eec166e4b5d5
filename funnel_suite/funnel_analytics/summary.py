"""Keeping the analytics tables: the pre-aggregated summary (Funnel Summary, per day and per
month) and the current-stage table (Funnel Card State).

Both are derived data. They are updated in the transaction of every move (the `funnel_on_move`
hook) and every save of a card, and can be rebuilt from the move log and the cards at any time
(`bench --site X funnel-suite-rebuild-analytics`). The arithmetic lives in the pure engine
(`funnel_suite.engine.analytics`), so the live path and the rebuild cannot disagree.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, getdate, now_datetime

from funnel_suite.engine import analytics
from funnel_suite.funnel_analytics import forecast_totals
from funnel_suite.funnels.card import card_doctypes, load_funnel
from funnel_suite.funnels.dimensions import AMOUNT_FIELDS, CLOSE_FIELDS, card_dimensions
from funnel_suite.funnels.tasks import OWNER_FIELDS

SUMMARY = "Funnel Summary"
STATE = "Funnel Card State"
GRAINS = {"day": "Day", "month": "Month", "company_day": "Company Day", "company_month": "Company Month"}
# one letter per grain in the primary key (distinct also case-insensitively)
GRAIN_CODES = {"Day": "D", "Month": "M", "Company Day": "E", "Company Month": "N"}
_META = ("creation", "modified", "modified_by", "owner", "docstatus", "idx")
SUMMARY_COLUMNS = (
	"name",
	*_META,
	"funnel",
	"grain",
	"period",
	"stage",
	"company",
	"card_owner",
	"source",
	"territory",
	*analytics.COUNTER_FIELDS,
)
STATE_COLUMNS = (
	"name",
	*_META,
	"reference_doctype",
	"reference_name",
	"title",
	"funnel",
	"stage",
	"stage_type",
	"stage_since",
	"stale_on",
	"expected_close",
	"amount",
	"company",
	"card_owner",
	"source",
	"territory",
)


def refuse_manual_write():
	frappe.throw(
		_("Funnel analytics tables are kept by the app from the move log; they cannot be edited by hand."),
		exc=frappe.PermissionError,
		title=_("Read Only"),
	)


class DerivedTable(Document):
	"""Controller base of the analytics tables: this module writes them with SQL, the document
	path (forms, REST, imports) is closed to everyone."""

	def before_insert(self):
		refuse_manual_write()

	def validate(self):
		refuse_manual_write()

	def on_trash(self):
		refuse_manual_write()


# --- funnels ------------------------------------------------------------------------------


def funnel_definitions(names: Iterable[str]) -> dict[str, Any]:
	"""The definitions of the funnels that still exist; rows of a funnel that is gone are skipped."""
	found = {}
	for name in set(filter(None, names)):
		try:
			found[name] = load_funnel(name)
		except frappe.DoesNotExistError:
			# frappe.throw queued its "Funnel … not found" for the user's screen: it is not theirs
			frappe.clear_last_message()
	return found


# --- the summary --------------------------------------------------------------------------


def fact_from(row: Mapping[str, Any]) -> analytics.MoveFact:
	return analytics.MoveFact(
		funnel=row["funnel"],
		to_stage=row["to_stage"],
		from_stage=row.get("from_stage") or None,
		from_funnel=row.get("from_funnel") or None,
		moved_on=get_datetime(row["moved_on"]),
		seconds_in_from_stage=int(row.get("seconds_in_from_stage") or 0),
		company=row.get("company") or "",
		owner=row.get("card_owner") or "",
		source=row.get("source") or "",
		territory=row.get("territory") or "",
		amount=float(row.get("amount") or 0),
	)


def _deltas(facts: list[analytics.MoveFact], funnels) -> list[tuple[str, tuple, analytics.Counters]]:
	rows = []
	for grain, label in GRAINS.items():
		deltas = analytics.merge_deltas(d for f in facts for d in analytics.move_deltas(f, funnels, grain))
		rows.extend((label, key, counters) for key, counters in deltas)
	return rows


def funnel_prefix(funnel: str, grain: str) -> str:
	return hashlib.md5(funnel.encode()).hexdigest()[:10] + GRAIN_CODES[grain]


def summary_name(grain: str, key: tuple) -> str:
	"""The row's primary key, built so that InnoDB stores a funnel's rows of one grain in period
	order (the table is clustered on it): a report reads its period as one contiguous range."""
	funnel, period, *rest = key
	tail = hashlib.md5("\x1f".join(str(part) for part in rest).encode()).hexdigest()[:20]
	return f"{funnel_prefix(funnel, grain)}{getdate(period):%Y%m%d}{tail}"


def summary_range(funnel: str, grain: str, start, end) -> tuple[str, str]:
	"""Primary-key bounds [low, high) of a funnel's rows of one grain between two periods."""
	prefix = funnel_prefix(funnel, grain)
	# "z" sorts after the hex tail in the site's collation ("~" would not: unicode_ci puts
	# punctuation before letters and digits)
	return f"{prefix}{getdate(start):%Y%m%d}", f"{prefix}{getdate(end):%Y%m%d}z"


def _summary_values(rows, now, user) -> list:
	values = []
	for grain, key, counters in rows:
		funnel, period, stage, company, owner, source, territory = key
		values.extend((summary_name(grain, key), now, now, user, user, 0, 0))
		values.extend((funnel, grain, period, stage, company, owner, source, territory))
		values.extend(getattr(counters, f) for f in analytics.COUNTER_FIELDS)
	return values


def _insert_sql(table: str, columns: tuple, count: int, update: str = "") -> str:
	row = "(" + ", ".join(["%s"] * len(columns)) + ")"
	sql = (
		f"insert into `tab{table}` ({', '.join(f'`{c}`' for c in columns)}) values {', '.join([row] * count)}"
	)
	return f"{sql} on duplicate key update {update}" if update else sql


_ADD_COUNTERS = ", ".join(f"`{c}` = `{c}` + values(`{c}`)" for c in analytics.COUNTER_FIELDS) + (
	", `modified` = values(`modified`)"
)


def record_facts(facts: list[analytics.MoveFact], funnels=None) -> None:
	"""Add what these moves change to both summaries (one statement)."""
	if not facts:
		return
	funnels = funnels if funnels is not None else funnel_definitions(f.funnel for f in facts)
	# rows in key order: two moves counted into the same rows at once lock them in the same order
	# (no deadlock; the second waits for the first and adds to its counts)
	rows = sorted(_deltas(facts, funnels), key=lambda row: summary_name(row[0], row[1]))
	frappe.db.sql(
		_insert_sql(SUMMARY, SUMMARY_COLUMNS, len(rows), _ADD_COUNTERS),
		_summary_values(rows, now_datetime(), frappe.session.user),
	)


def on_card_moved(doc, entries: list[dict]) -> None:
	"""`funnel_on_move` hook: the moves just logged, counted in the same transaction."""
	funnels = funnel_definitions(
		itertools.chain.from_iterable((e["funnel"], e.get("from_funnel")) for e in entries)
	)
	record_facts([fact_from(e) for e in entries], funnels)
	write_card_state(doc, funnels)


def forget_facts(facts: list[analytics.MoveFact], funnels=None) -> None:
	"""Take what these moves added back out of both summaries (a deleted card's log): the same
	deltas negated, in the same key order, then the rows that are left with nothing are removed,
	so the summary equals a rebuild from the remaining log."""
	if not facts:
		return
	funnels = (
		funnels
		if funnels is not None
		else funnel_definitions(itertools.chain.from_iterable((f.funnel, f.from_funnel) for f in facts))
	)
	rows = sorted(_deltas(facts, funnels), key=lambda row: summary_name(row[0], row[1]))
	negated = [
		(grain, key, analytics.Counters(**{f: -getattr(c, f) for f in analytics.COUNTER_FIELDS}))
		for grain, key, c in rows
	]
	frappe.db.sql(
		_insert_sql(SUMMARY, SUMMARY_COLUMNS, len(negated), _ADD_COUNTERS),
		_summary_values(negated, now_datetime(), frappe.session.user),
	)
	empty = " and ".join(
		f"abs(`{c}`) < 0.000001" if c == "entered_amount" else f"`{c}` = 0" for c in analytics.COUNTER_FIELDS
	)
	frappe.db.sql(
		f"delete from `tab{SUMMARY}` where name in %(names)s and {empty}",
		{"names": tuple(summary_name(grain, key) for grain, key, _c in rows)},
	)


def on_card_deleted(doc, log: list[dict]) -> None:
	"""`funnel_on_card_delete` hook: the deleted card's moves leave the summaries, its
	current-stage row goes."""
	forget_facts([fact_from(row) for row in log])
	delete_card_state(doc)


# --- the current-stage table --------------------------------------------------------------


def state_name(doctype: str, name: str) -> str:
	return hashlib.md5(f"{doctype}\x1f{name}".encode()).hexdigest()


def _state_row(doctype, name, title, funnel_name, stage_name, since, dims, funnels) -> tuple:
	funnel = funnels.get(funnel_name)
	stage = funnel.stage(stage_name) if funnel else None
	since = get_datetime(since) if since else None
	return (
		doctype,
		name,
		(title or name)[:140],
		funnel_name,
		stage.name if stage else stage_name,
		stage.kind if stage else "",
		since,
		analytics.stale_on(since, stage.stale_after_days) if stage else None,
		dims.get("expected_close"),
		float(dims.get("amount") or 0),
		dims.get("company") or "",
		dims.get("card_owner") or "",
		dims.get("source") or "",
		dims.get("territory") or "",
	)


_STATE_UPDATE = (
	", ".join(f"`{c}` = values(`{c}`)" for c in STATE_COLUMNS[8:]) + ", `modified` = values(`modified`)"
)


def _write_states(rows: list[tuple]) -> None:
	if not rows:
		return
	now, user = now_datetime(), frappe.session.user
	values = []
	for row in rows:
		values.extend((state_name(row[0], row[1]), now, now, user, user, 0, 0, *row))
	frappe.db.sql(_insert_sql(STATE, STATE_COLUMNS, len(rows), _STATE_UPDATE), values)


def write_card_state(doc, funnels=None) -> None:
	if not doc.get("funnel"):
		delete_card_state(doc)
		return
	funnels = funnels if funnels is not None else funnel_definitions([doc.funnel])
	if doc.funnel not in funnels:
		funnels = {**funnels, **funnel_definitions([doc.funnel])}
	row = _state_row(
		doc.doctype,
		doc.name,
		doc.get_title() if hasattr(doc, "get_title") else doc.name,
		doc.funnel,
		doc.get("funnel_stage"),
		doc.get("funnel_stage_since"),
		card_dimensions(doc),
		funnels,
	)
	# Funnel Forecast's running totals: the row as it is leaves them, the new one enters
	forecast_totals.replace_card(state_name(doc.doctype, doc.name), forecast_totals.card_values(row))
	_write_states([row])


_STATE_FIELDS = ("funnel", "funnel_stage", "funnel_stage_since", "company", "source", "territory")


def sync_card_state(doc, method=None) -> None:
	"""doc_events on_update of every card: the current-stage row follows the card's stage, owner,
	amount and dimensions (a move already wrote it in `on_card_moved`)."""
	if doc.flags.get("funnel_logged") and not _changed(doc, ("company", "source", "territory")):
		# the move's own on_update already wrote the row with these values
		return
	if not doc.is_new() and not _changed(doc, _tracked_fields(doc.doctype)):
		return
	write_card_state(doc)


def _tracked_fields(doctype: str) -> tuple[str, ...]:
	extra = (OWNER_FIELDS.get(doctype), CLOSE_FIELDS.get(doctype), *AMOUNT_FIELDS.get(doctype, ()))
	return (*_STATE_FIELDS, *filter(None, extra))


def _changed(doc, fieldnames) -> bool:
	before = doc.get_doc_before_save()
	if before is None:
		return True
	return any(str(before.get(f) or "") != str(doc.get(f) or "") for f in fieldnames)


def delete_card_state(doc, method=None) -> None:
	name = state_name(doc.doctype, doc.name)
	forecast_totals.remove_card(name)  # the row leaves Funnel Forecast's running totals
	frappe.db.delete(STATE, {"name": name})


# --- funnel definition changes ------------------------------------------------------------


def on_funnel_changed(funnel_doc, before) -> None:
	"""A funnel was saved: cards of a renamed stage follow it in the current-stage table, stale
	limits and stage kinds apply at once, and when the stages' names, order or kinds changed the
	summary of this funnel is rebuilt from the log in the background (its counters depend on
	them)."""
	renamed = {}
	if before is not None:
		old = {row.name: row.stage_name for row in before.stages}
		renamed = {
			old[r.name]: r.stage_name
			for r in funnel_doc.stages
			if old.get(r.name, r.stage_name) != r.stage_name
		}
	# when stage names or kinds change, the funnel's open cards leave Funnel Forecast's running
	# totals and enter them again under their new names and kinds (stale limits and probabilities
	# are not in the totals)
	reshaped = before is None or _shape(before) != _shape(funnel_doc)
	totals_where = ("o.funnel = %(totals_funnel)s", {"totals_funnel": funnel_doc.name})
	if reshaped:
		forecast_totals.take_out(*totals_where)
	for old_name, new_name in renamed.items():
		frappe.db.sql(
			f"update `tab{STATE}` set stage = %s where funnel = %s and stage = %s",
			(new_name, funnel_doc.name, old_name),
		)
	for row in funnel_doc.stages:
		days = int(row.stale_after_days or 0)
		frappe.db.sql(
			f"""update `tab{STATE}` set stage_type = %s,
				stale_on = if(%s > 0 and stage_since is not null, stage_since + interval %s day, null)
			where funnel = %s and stage = %s""",
			(row.stage_type, days, days, funnel_doc.name, row.stage_name),
		)
	if reshaped:
		forecast_totals.put_in(*totals_where)
	if before is not None and _shape(before) != _shape(funnel_doc):
		frappe.enqueue(
			"funnel_suite.funnel_analytics.summary.rebuild_summary",
			queue="long",
			funnel=funnel_doc.name,
			enqueue_after_commit=True,
			job_id=f"funnel-summary-rebuild::{funnel_doc.name}",
			deduplicate=True,
			now=bool(frappe.flags.in_test),
		)


def _shape(doc) -> tuple:
	return tuple((row.stage_name, row.stage_type) for row in doc.stages)


# --- rebuild ------------------------------------------------------------------------------

LOG_FIELDS = (
	"name",
	"funnel",
	"from_funnel",
	"from_stage",
	"to_stage",
	"moved_on",
	"seconds_in_from_stage",
	"company",
	"card_owner",
	"source",
	"territory",
	"amount",
)


def iter_log(funnel: str | None = None, chunk: int = 50000) -> Iterator[dict]:
	"""The move log in id order, a chunk at a time (memory stays flat)."""
	last = 0
	where = "and (funnel = %(funnel)s or from_funnel = %(funnel)s)" if funnel else ""
	while True:
		rows = frappe.db.sql(
			f"""select {", ".join(f"`{f}`" for f in LOG_FIELDS)} from `tabFunnel Transition`
			where name > %(last)s {where} order by name limit %(chunk)s""",
			{"last": last, "funnel": funnel, "chunk": chunk},
			as_dict=True,
		)
		if not rows:
			return
		yield from rows
		last = rows[-1]["name"]


def rebuild_summary(funnel: str | None = None, chunk: int = 5000) -> int:
	"""Recompute the summary (of one funnel, or all) from the move log. Returns the row count.

	Folds the day grain move by move, then rolls it up into the month and company grains (the
	pure suite proves the roll-up equals counting the moves into those grains directly)."""
	funnels = funnel_definitions(frappe.get_all("Funnel", pluck="name"))
	daily: dict = {}
	for row in iter_log(funnel):
		for key, counters in analytics.move_deltas(fact_from(row), funnels, "day"):
			if funnel is None or key[0] == funnel:
				daily.setdefault(key, analytics.Counters()).add(counters)
	summary = {label: {} for label in GRAINS.values()}
	summary["Day"] = daily
	for (funnel_name, day, stage, company, *rest), counters in daily.items():
		month = analytics.month_start(day)
		for label, key in (
			("Month", (funnel_name, month, stage, company, *rest)),
			("Company Day", (funnel_name, day, stage, company, "", "", "")),
			("Company Month", (funnel_name, month, stage, company, "", "", "")),
		):
			summary[label].setdefault(key, analytics.Counters()).add(counters)
	frappe.db.delete(SUMMARY, {"funnel": funnel} if funnel else None)
	rows = [(grain, key, c) for grain, keyed in summary.items() for key, c in keyed.items()]
	now, user = now_datetime(), frappe.session.user
	for start in range(0, len(rows), chunk):
		part = rows[start : start + chunk]
		frappe.db.sql(_insert_sql(SUMMARY, SUMMARY_COLUMNS, len(part)), _summary_values(part, now, user))
	return len(rows)


def rebuild_card_state(funnel: str | None = None, chunk: int = 5000) -> int:
	"""Recompute the current-stage table from the cards themselves (and Funnel Forecast's running
	totals from it). Returns the row count."""
	frappe.db.delete(STATE, {"funnel": funnel} if funnel else None)
	funnels = funnel_definitions(frappe.get_all("Funnel", pluck="name"))
	written = 0
	for doctype in card_doctypes():
		meta = frappe.get_meta(doctype)
		if not meta.has_field("funnel"):
			continue
		wanted = {
			"funnel",
			"funnel_stage",
			"funnel_stage_since",
			"owner",
			"company",
			"source",
			"territory",
			OWNER_FIELDS.get(doctype),
			CLOSE_FIELDS.get(doctype),
			meta.title_field,
			*AMOUNT_FIELDS.get(doctype, ()),
		}
		columns = ["name", *sorted(f for f in wanted if f and (meta.has_field(f) or f == "owner"))]
		last = ""
		while True:
			rows = frappe.db.sql(
				f"""select {", ".join(f"`{c}`" for c in columns)} from `tab{doctype}`
				where name > %(last)s and ifnull(funnel, '') != '' {"and funnel = %(funnel)s" if funnel else ""}
				order by name limit %(chunk)s""",
				{"last": last, "funnel": funnel, "chunk": chunk},
				as_dict=True,
			)
			if not rows:
				break
			states = []
			for row in rows:
				card = frappe._dict(row, doctype=doctype)
				title = row.get(meta.title_field) if meta.title_field else None
				states.append(
					_state_row(
						doctype,
						row.name,
						title,
						row.funnel,
						row.funnel_stage,
						row.funnel_stage_since,
						card_dimensions(card),
						funnels,
					)
				)
			# rows of other funnels these cards still had leave the running totals first
			forecast_totals.take_out("o.name in %(totals_states)s", {"totals_states": _state_names(states)})
			_write_states(states)
			written += len(states)
			last = rows[-1].name
	forecast_totals.rebuild(funnel)
	return written


def _state_names(rows: list[tuple]) -> tuple[str, ...]:
	return tuple(state_name(row[0], row[1]) for row in rows)


def backfill_log_dimensions() -> int:
	"""Moves logged before the log kept the card's dimensions get the card's current ones."""
	filled = 0
	for doctype in card_doctypes():
		meta = frappe.get_meta(doctype)
		if not meta.has_field("funnel"):
			continue

		def col(field, default="''"):
			return f"ifnull(c.`{field}`, {default})" if field and meta.has_field(field) else default

		owner_field = OWNER_FIELDS.get(doctype)
		owner = (
			f"coalesce(nullif(c.`{owner_field}`, ''), c.owner)"
			if owner_field and meta.has_field(owner_field)
			else "c.owner"
		)
		amounts = [f"nullif(c.`{f}`, 0)" for f in AMOUNT_FIELDS.get(doctype, ()) if meta.has_field(f)]
		amount = f"coalesce({', '.join(amounts)}, 0)" if amounts else "0"
		frappe.db.sql(
			f"""update `tabFunnel Transition` t join `tab{doctype}` c on c.name = t.reference_name
			set t.company = {col("company")}, t.card_owner = {owner}, t.source = {col("source")},
				t.territory = {col("territory")}, t.amount = {amount}
			where t.reference_doctype = %s and t.company is null""",
			(doctype,),
		)
		filled += frappe.db.sql("select row_count()")[0][0]
	return filled


def rebuild(funnel: str | None = None) -> dict[str, int]:
	"""Both tables from scratch (one funnel or all), in the caller's transaction."""
	if funnel and not frappe.db.exists("Funnel", funnel):
		frappe.throw(_("Funnel {0} does not exist.").format(frappe.bold(funnel)), frappe.DoesNotExistError)
	result = {
		"log_rows_backfilled": backfill_log_dimensions(),
		"summary_rows": rebuild_summary(funnel),
		"card_states": rebuild_card_state(funnel),  # rebuilds Funnel Forecast's running totals too
	}
	result["forecast_totals"] = frappe.db.count(
		forecast_totals.TOTALS, {"funnel": funnel} if funnel else None
	)
	return result


def _has_rows(doctype: str) -> bool:
	return bool(frappe.db.sql(f"select 1 from `tab{doctype}` limit 1"))


def rebuild_if_empty() -> None:
	"""After install / migrate: build the tables once when there is history but no summary."""
	if _has_rows("Funnel Transition") and not _has_rows(SUMMARY):
		rebuild()
	elif _has_rows("Funnel Transition") and not _has_rows(STATE):
		rebuild_card_state()
