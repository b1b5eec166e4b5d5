"""The data of the four funnel reports (Funnel Conversion, Stage Velocity, Stale Cards, Funnel
Forecast) and of the Funnels workspace's number cards.

Every figure comes from the analytics tables (or, for users whose restrictions the tables
cannot express, from the move log and the current-stage table joined with the host's list query
of the cards they may read — see `scope.py`). Filters travel as query parameters. Each report
runs a fixed number of SQL queries (at most 3) whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import (
	add_months,
	cint,
	escape_html,
	get_first_day,
	get_last_day,
	getdate,
	now_datetime,
	today,
)

from funnel_suite.engine import analytics, velocity
from funnel_suite.funnel_analytics import forecast_totals, velocity_buckets
from funnel_suite.funnel_analytics.scope import Scope, scope_for
from funnel_suite.funnel_analytics.summary import STATE, SUMMARY, funnel_definitions, summary_range
from funnel_suite.funnels.card import card_doctypes, load_funnel

GROUPS = {"": None, "Owner": "card_owner", "Source": "source"}
DAY = 86400.0


@dataclass
class Filters:
	funnel: str | None
	doctype: str | None
	from_date: dt.date | None
	to_date: dt.date | None
	company: str | None = None
	card_owner: str | None = None
	source: str | None = None
	territory: str | None = None
	group_by: str | None = None

	def equalities(self, alias: str, params: dict) -> str:
		"""The user's dimension filters, as parameters."""
		parts = []
		for column in ("company", "card_owner", "source", "territory"):
			value = getattr(self, column)
			if value:
				params[f"f_{column}"] = value
				parts.append(f"{alias}.`{column}` = %(f_{column})s")
		return " and ".join(parts) or "1=1"


def parse_filters(filters, need_funnel: bool = True, need_period: bool = True) -> Filters:
	filters = frappe._dict(filters or {})
	funnel = filters.get("funnel") or None
	doctype = None
	if funnel:
		try:
			doctype = load_funnel(funnel).document_type  # cached: no query per report run
		except frappe.DoesNotExistError:
			frappe.clear_last_message()
			frappe.throw(
				_("Funnel {0} does not exist. Pick a funnel from the list.").format(frappe.bold(funnel)),
				frappe.DoesNotExistError,
			)
	elif need_funnel:
		frappe.throw(_("Pick a funnel: the Funnel filter is required."), title=_("Missing Filter"))
	from_date = getdate(filters.get("from_date")) if filters.get("from_date") else None
	to_date = getdate(filters.get("to_date")) if filters.get("to_date") else None
	if need_period:
		if not from_date or not to_date:
			frappe.throw(_("Set both From Date and To Date."), title=_("Missing Filter"))
		if to_date < from_date:
			frappe.throw(
				_(
					"To Date ({0}) is before From Date ({1}). Pick a To Date on or after the From Date."
				).format(to_date, from_date),
				title=_("Invalid Filter"),
			)
	group_by = filters.get("group_by") or ""
	if group_by not in GROUPS:
		frappe.throw(
			_("Group By can be {0}, not {1}.").format(
				", ".join(_(g) for g in GROUPS if g), frappe.bold(group_by)
			),
			title=_("Invalid Filter"),
		)
	return Filters(
		funnel=funnel,
		doctype=doctype,
		from_date=from_date,
		to_date=to_date,
		company=filters.get("company") or None,
		card_owner=filters.get("card_owner") or None,
		source=filters.get("source") or None,
		territory=filters.get("territory") or None,
		group_by=GROUPS[group_by],
	)


def _doctypes_for(f: Filters) -> list[str]:
	if f.doctype:
		return [f.doctype]
	return [d for d in card_doctypes() if frappe.has_permission(d, "read")]


def _state_scope_sql(f: Filters, params: dict, alias: str = "s", scope: Scope | None = None) -> str:
	"""Rows of the current-stage table the user may see, for the filtered funnel or all.

	A funnel holds one doctype, so its rows need only the user's scope on that doctype; across
	funnels each doctype gets its own scope (none at all when the user may read every kind of
	card without restriction, so the indexes on stage kind and funnel serve the query alone)."""
	if scope is not None:  # the caller's scope of the funnel's doctype (computed once per report)
		return scope.conditions(alias, params)
	doctypes = _doctypes_for(f)
	if not doctypes:
		frappe.throw(_("You do not have permission to read any funnel cards."), frappe.PermissionError)
	scopes = [scope_for(doctype) for doctype in doctypes]
	if f.funnel:
		return scopes[0].conditions(alias, params)
	if len(doctypes) == len(card_doctypes()) and all(not s.dims and not s.exact for s in scopes):
		return "1=1"
	parts = []
	for index, (doctype, scope) in enumerate(zip(doctypes, scopes, strict=True)):
		local: dict = {}
		condition = scope.conditions(alias, local)
		for key, value in local.items():
			params[f"{key}_{index}"] = value
			condition = condition.replace(f"%({key})s", f"%({key}_{index})s")
		params[f"state_doctype_{index}"] = doctype
		parts.append(f"({alias}.reference_doctype = %(state_doctype_{index})s and {condition})")
	return "(" + " or ".join(parts) + ")"


def _open_cards_where(f: Filters, params: dict, stale_only: bool = False) -> str:
	"""Conditions on the current-stage table (alias s): the open cards of the filtered funnel, or
	of every funnel, that the user may see and the filters keep; with stale_only, those past their
	stage's stale limit (params["now"] is set)."""
	where = f"s.stage_type = 'Open' and {f.equalities('s', params)} and {_state_scope_sql(f, params)}"
	if stale_only:
		params["now"] = now_datetime()
		where += " and s.stale_on <= %(now)s"
	if f.funnel:
		params["funnel"] = f.funnel
		where = f"s.funnel = %(funnel)s and {where}"
	return where


def days(seconds) -> float | None:
	return None if seconds is None else round(float(seconds) / DAY, 2)


# --- Funnel Conversion --------------------------------------------------------------------


def conversion_counters(f: Filters) -> dict[tuple[str, str], analytics.Counters]:
	"""(group value, stage) -> counters for the period. One query."""
	scope = scope_for(f.doctype)
	if scope.exact:
		return _conversion_from_log(f, scope)
	params: dict = {"funnel": f.funnel}
	plan = analytics.plan_period(f.from_date, f.to_date)
	# the company-only grains answer unless a filter, the grouping or the user's scope needs the
	# owner, source or territory of the moves
	by_company = not (f.card_owner or f.source or f.territory or f.group_by) and set(scope.dims) <= {
		"company"
	}
	day, month = ("Company Day", "Company Month") if by_company else ("Day", "Month")
	ranges = []
	parts = [(month, *plan.months)] if plan.months else []
	parts += [(day, start, end) for start, end in plan.days]
	for index, (grain, start, end) in enumerate(parts):
		# the primary key range is what the database reads; grain and period say the same in words
		params[f"lo_{index}"], params[f"hi_{index}"] = summary_range(f.funnel, grain, start, end)
		params[f"grain_{index}"], params[f"from_{index}"], params[f"to_{index}"] = grain, start, end
		ranges.append(
			f"(s.name >= %(lo_{index})s and s.name < %(hi_{index})s and s.grain = %(grain_{index})s"
			f" and s.period between %(from_{index})s and %(to_{index})s)"
		)
	group = f"s.`{f.group_by}`" if f.group_by else "''"
	rows = frappe.db.sql(
		f"""select {group} as grp, s.stage, sum(s.entered), sum(s.entered_amount), sum(s.exited),
			sum(s.advanced), sum(s.won), sum(s.lost), sum(s.seconds_out)
		from `tab{SUMMARY}` s
		where s.funnel = %(funnel)s and ({" or ".join(ranges)})
			and {f.equalities("s", params)} and {scope.conditions("s", params, reference=False)}
		group by grp, s.stage""",
		params,
	)
	result: dict = {}
	for grp, stage, entered, amount, exited, advanced, won, lost, seconds in rows:
		counters = analytics.Counters(
			entered=int(entered or 0),
			entered_amount=float(amount or 0),
			exited=int(exited or 0),
			advanced=int(advanced or 0),
			won=int(won or 0),
			lost=int(lost or 0),
			seconds_out=int(seconds or 0),
		)
		result.setdefault((grp or "", stage), analytics.Counters()).add(counters)
	return result


def _conversion_from_log(f: Filters, scope: Scope) -> dict[tuple[str, str], analytics.Counters]:
	params: dict = {
		"funnel": f.funnel,
		"from": dt.datetime.combine(f.from_date, dt.time.min),
		"to": dt.datetime.combine(f.to_date, dt.time.max),
	}
	group = f"t.`{f.group_by}`" if f.group_by else "''"
	rows = frappe.db.sql(
		f"""select {group} as grp, t.funnel, t.from_funnel, t.from_stage, t.to_stage, count(*),
			sum(ifnull(t.amount, 0)), sum(greatest(ifnull(t.seconds_in_from_stage, 0), 0))
		from `tabFunnel Transition` t
		where (t.funnel = %(funnel)s or t.from_funnel = %(funnel)s) and t.moved_on between %(from)s and %(to)s
			and {f.equalities("t", params)} and {scope.conditions("t", params)}
		group by grp, t.funnel, t.from_funnel, t.from_stage, t.to_stage""",
		params,
	)
	funnels = funnel_definitions({f.funnel, *(r[1] for r in rows), *(r[2] for r in rows if r[2])})
	result: dict = {}
	for grp, funnel, from_funnel, from_stage, to_stage, count, amount, seconds in rows:
		count = int(count)
		fact = analytics.MoveFact(
			funnel=funnel,
			to_stage=to_stage,
			moved_on=params["from"],
			from_stage=from_stage,
			from_funnel=from_funnel,
			seconds_in_from_stage=int(seconds or 0),
			amount=float(amount or 0),
		)
		for key, counters in analytics.grouped_deltas(fact, count, funnels):
			if key[0] == f.funnel:
				result.setdefault((grp or "", key[2]), analytics.Counters()).add(counters)
	return result


def conversion_report(filters) -> tuple[list, list, None, dict, list]:
	f = parse_filters(filters)
	funnel = load_funnel(f.funnel)
	counters = conversion_counters(f)
	groups = sorted({g for g, _s in counters}) or [""]
	columns = []
	if f.group_by:
		label = _("Owner") if f.group_by == "card_owner" else _("Source")
		options = "User" if f.group_by == "card_owner" else "Lead Source"
		columns.append(
			{"fieldname": "group", "label": label, "fieldtype": "Link", "options": options, "width": 180}
		)
	columns += [
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 200},
		{"fieldname": "kind", "label": _("Kind"), "fieldtype": "Data", "width": 80},
		{"fieldname": "entered", "label": _("Entered"), "fieldtype": "Int", "width": 100},
		{"fieldname": "advanced", "label": _("Moved On"), "fieldtype": "Int", "width": 100},
		{"fieldname": "won", "label": _("Won From Here"), "fieldtype": "Int", "width": 120},
		{"fieldname": "lost", "label": _("Lost From Here"), "fieldtype": "Int", "width": 120},
		{
			"fieldname": "conversion_to_next",
			"label": _("To Next Stage %"),
			"fieldtype": "Percent",
			"width": 130,
		},
		{
			"fieldname": "conversion_from_entry",
			"label": _("Of Entered Funnel %"),
			"fieldtype": "Percent",
			"width": 150,
		},
		{"fieldname": "entered_amount", "label": _("Amount Entered"), "fieldtype": "Currency", "width": 140},
	]
	data, totals = [], {}
	for group in groups:
		by_stage = {stage: c for (g, stage), c in counters.items() if g == group}
		figures = analytics.conversion(funnel, by_stage)
		for row in figures:
			data.append(
				{
					"card_doctype": f.doctype,  # for the drill-down link (not a column)
					"group": group,
					"stage": row.stage,
					"kind": _(row.kind) if row.kind else _("Removed"),
					"entered": row.entered,
					"advanced": row.advanced,
					"won": row.won,
					"lost": row.lost,
					"conversion_to_next": row.conversion_to_next,
					"conversion_from_entry": row.conversion_from_entry,
					"entered_amount": row.entered_amount,
				}
			)
			totals.setdefault(row.stage, analytics.Counters()).add(
				analytics.Counters(entered=row.entered, won=row.won, lost=row.lost)
			)
	overall = analytics.conversion(funnel, totals)
	entry = funnel.entry_stage
	summary = [
		{
			"label": _("Entered the funnel"),
			"value": totals.get(entry.name, analytics.Counters()).entered if entry else 0,
			"indicator": "Blue",
			"datatype": "Int",
		},
		{
			"label": _("Won"),
			"value": sum(r.entered for r in overall if r.kind == "Won"),
			"indicator": "Green",
			"datatype": "Int",
		},
		{
			"label": _("Lost"),
			"value": sum(r.entered for r in overall if r.kind == "Lost"),
			"indicator": "Red",
			"datatype": "Int",
		},
		{
			"label": _("Overall conversion"),
			"value": analytics.overall_conversion(overall) or 0,
			"indicator": "Green",
			"datatype": "Percent",
		},
	]
	open_rows = [r for r in overall if r.kind in ("Open", "Won")]
	chart = {
		"data": {
			"labels": [r.stage for r in open_rows],
			"datasets": [{"name": _("Entered"), "values": [r.entered for r in open_rows]}],
		},
		"type": "bar",
		"colors": ["#2490ef"],
	}
	return columns, data, None, chart, summary


# --- Stage Velocity -----------------------------------------------------------------------


def _exits_exact(f: Filters, scope: Scope) -> dict[str, tuple]:
	"""normalized stage left -> (moves out, mean, median, p90 seconds) from the move log. One query."""
	params: dict = {
		"funnel": f.funnel,
		"from": dt.datetime.combine(f.from_date, dt.time.min),
		"to": dt.datetime.combine(f.to_date, dt.time.max),
	}
	where = f"t.moved_on between %(from)s and %(to)s and t.from_stage is not null and {f.equalities('t', params)} and {scope.conditions('t', params)}"
	exits = frappe.db.sql(
		f"""select distinct x.from_stage,
			count(*) over (partition by x.from_stage), avg(x.seconds) over (partition by x.from_stage),
			percentile_cont(0.5) within group (order by x.seconds) over (partition by x.from_stage),
			percentile_cont(0.9) within group (order by x.seconds) over (partition by x.from_stage)
		from (
			select t.from_stage, greatest(ifnull(t.seconds_in_from_stage, 0), 0) as seconds
			from `tabFunnel Transition` t where t.funnel = %(funnel)s and t.from_funnel is null and {where}
			union all
			select t.from_stage, greatest(ifnull(t.seconds_in_from_stage, 0), 0)
			from `tabFunnel Transition` t where t.from_funnel = %(funnel)s and {where}
		) x""",
		params,
	)
	return {analytics.normalize_stage_name(r[0]): tuple(r[1:]) for r in exits}


def _exits_from_histograms(histograms: dict) -> dict[str, tuple]:
	"""normalized stage left -> (moves out, mean, median, p90 seconds, median ±, p90 ±)."""
	merged: dict[str, velocity.Histogram] = {}
	for stage, histogram in histograms.items():
		merged.setdefault(analytics.normalize_stage_name(stage), velocity.Histogram()).merge(histogram)
	result = {}
	for key, histogram in merged.items():
		median, p90 = histogram.percentile(0.5), histogram.percentile(0.9)
		result[key] = (histogram.count, histogram.mean(), median.value, p90.value, median.error, p90.error)
	return result


def _error_days(seconds) -> float | None:
	"""An error bound in days, rounded up (a bound must not shrink in the rounding)."""
	if seconds is None:
		return None
	if math.isinf(seconds):
		return None
	return math.ceil(float(seconds) / DAY * 100 - 1e-9) / 100


def velocity_report(filters) -> tuple[list, list, str, dict, list]:
	"""Time in each stage and the bottleneck. Mean, median and 90th percentile of the time spent in
	a stage by the cards that left it in the period come from the duration histograms
	(`velocity_buckets`) when the period holds more than EXACT_LIMIT moves out of the funnel's
	stages — the median and the 90th percentile then carry an error bound (± columns) — and from
	the move log otherwise, or when the user's scope or the filters need it. The report says which."""
	f = parse_filters(filters)
	funnel = load_funnel(f.funnel)
	scope = scope_for(f.doctype)
	found = velocity_buckets.histograms_for(f, scope)
	from_histograms = found is not None and velocity.use_histograms(found[1], velocity_buckets.EXACT_LIMIT)
	if from_histograms:
		left = _exits_from_histograms(found[0])
		# the rule counts every card of the funnel (what the exact path would read); the report
		# names only the limit, not that count, which may include cards the user cannot see
		path = _(
			"duration histograms: the period holds more than {0} moves out of the funnel's stages; the mean is exact, the median and the 90th percentile lie within the ± shown (at most ±{1}% of the value)"
		).format(velocity_buckets.EXACT_LIMIT, round(velocity.RELATIVE_ERROR * 100, 1))
	elif found is not None:
		left = _exits_exact(f, scope)
		path = _("the move log, exact: the period holds at most {0} moves out of the funnel's stages").format(
			velocity_buckets.EXACT_LIMIT
		)
	elif scope.exact:
		left = _exits_exact(f, scope)
		path = _("the move log, exact: your access to these cards is checked card by card")
	else:
		left = _exits_exact(f, scope)
		path = _(
			"the move log, exact: the histograms keep one of owner, source and territory at a time, the filters ask for more"
		)
	state_params: dict = {"funnel": f.funnel, "now": now_datetime()}
	current = frappe.db.sql(
		f"""select s.stage, count(*), avg(timestampdiff(second, s.stage_since, %(now)s)),
			max(timestampdiff(second, s.stage_since, %(now)s))
		from `tab{STATE}` s
		where s.stage_type = 'Open' and s.funnel = %(funnel)s and {f.equalities("s", state_params)}
			and {_state_scope_sql(f, state_params, scope=scope)}
		group by s.stage""",
		state_params,
	)
	now_in = {analytics.normalize_stage_name(r[0]): r for r in current}
	medians = {s.name: (left.get(s.key) or (None,) * 3)[2] for s in funnel.stages}
	slowest = analytics.bottleneck(
		funnel, {k: float(v) if v is not None else None for k, v in medians.items()}
	)
	columns = [
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 200},
		{"fieldname": "kind", "label": _("Kind"), "fieldtype": "Data", "width": 80},
		{"fieldname": "exits", "label": _("Cards Moved Out"), "fieldtype": "Int", "width": 130},
		{
			"fieldname": "mean_days",
			"label": _("Mean Days"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 110,
		},
		{
			"fieldname": "median_days",
			"label": _("Median Days"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 110,
		},
		{
			"fieldname": "p90_days",
			"label": _("90th Percentile Days"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 150,
		},
		*(
			[
				{
					"fieldname": "median_error_days",
					"label": _("Median ± Days"),
					"fieldtype": "Float",
					"precision": 2,
					"width": 120,
				},
				{
					"fieldname": "p90_error_days",
					"label": _("90th Percentile ± Days"),
					"fieldtype": "Float",
					"precision": 2,
					"width": 160,
				},
			]
			if from_histograms
			else []
		),
		{"fieldname": "cards_now", "label": _("Cards Now"), "fieldtype": "Int", "width": 100},
		{
			"fieldname": "mean_age_days",
			"label": _("Mean Age Now (Days)"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 150,
		},
		{
			"fieldname": "oldest_days",
			"label": _("Oldest Now (Days)"),
			"fieldtype": "Float",
			"precision": 2,
			"width": 140,
		},
		{"fieldname": "bottleneck", "label": _("Bottleneck"), "fieldtype": "Check", "width": 100},
	]
	data = []
	for stage in funnel.stages:
		exits_count, mean, median, p90, *errors = left.get(stage.key) or (0, None, None, None)
		_c, count_now, mean_age, oldest = now_in.get(stage.key) or (None, 0, None, None)
		row = {
			"card_doctype": f.doctype,  # for the drill-down link (not a column)
			"stage": stage.name,
			"kind": _(stage.kind),
			"exits": exits_count,
			"mean_days": days(mean),
			"median_days": days(median),
			"p90_days": days(p90),
			"cards_now": count_now,
			"mean_age_days": days(mean_age),
			"oldest_days": days(oldest),
			"bottleneck": 1 if stage.name == slowest else 0,
		}
		if from_histograms:
			row["median_error_days"] = _error_days(errors[0]) if errors else None
			row["p90_error_days"] = _error_days(errors[1]) if errors else None
		data.append(row)
	open_rows = [r for r in data if r["kind"] == _("Open")]
	chart = {
		"data": {
			"labels": [r["stage"] for r in open_rows],
			"datasets": [
				{"name": _("Median Days"), "values": [r["median_days"] or 0 for r in open_rows]},
				{"name": _("90th Percentile Days"), "values": [r["p90_days"] or 0 for r in open_rows]},
			],
		},
		"type": "bar",
		"colors": ["#2490ef", "#f5a623"],
	}
	summary = [
		{
			"label": _("Bottleneck stage"),
			"value": slowest or _("None"),
			"indicator": "Red" if slowest else "Grey",
			"datatype": "Data",
		},
		{
			"label": _("Open cards now"),
			"value": sum(r["cards_now"] for r in data),
			"indicator": "Blue",
			"datatype": "Int",
		},
		{
			"label": _("Computed from"),
			"value": path,
			"indicator": "Orange" if from_histograms else "Green",
			"datatype": "Data",
		},
	]
	message = _("Stage times computed from {0}.").format(path)
	example = next((r for r in data if r["stage"] == slowest), None)
	if from_histograms and example and example.get("p90_error_days") is not None:
		message += " " + _("For example, {0}: 90th percentile ≈ {1} ± {2} days.").format(
			example["stage"], example["p90_days"], example["p90_error_days"]
		)
	return columns, data, escape_html(message), chart, summary


# --- Stale Cards --------------------------------------------------------------------------

PAGE = 500


def stale_report(filters) -> tuple[list, list, None, dict, list]:
	f = parse_filters(filters, need_funnel=False, need_period=False)
	limit = min(max(cint((filters or {}).get("limit")) or PAGE, 1), 5000)
	params: dict = {"limit": limit}
	where = _open_cards_where(f, params, stale_only=True)
	rows = frappe.db.sql(
		f"""select s.reference_doctype, s.reference_name, s.title, s.funnel, s.stage, s.stage_since,
			s.stale_on, s.card_owner, s.amount
		from `tab{STATE}` s where {where}
		order by {"s.stale_on, s.stage, s.name" if f.funnel else "s.stale_on, s.name"} limit %(limit)s""",
		params,
		as_dict=True,
	)
	per_stage = frappe.db.sql(
		f"select s.funnel, s.stage, count(*) from `tab{STATE}` s where {where} group by s.funnel, s.stage",
		params,
	)
	funnels = funnel_definitions({r.funnel for r in rows})
	now = params["now"]
	data = []
	for row in rows:
		stage = funnels[row.funnel].stage(row.stage) if row.funnel in funnels else None
		data.append(
			{
				"reference_doctype": row.reference_doctype,
				"reference_name": row.reference_name,
				"title": row.title,
				"funnel": row.funnel,
				"stage": row.stage,
				"stage_since": row.stage_since,
				"days_in_stage": days((now - row.stage_since).total_seconds()) if row.stage_since else None,
				"stale_after_days": stage.stale_after_days if stage else None,
				"days_overdue": days((now - row.stale_on).total_seconds()) if row.stale_on else None,
				"card_owner": row.card_owner,
				"next_action": stage.next_action if stage else None,
				"amount": row.amount,
			}
		)
	columns = [
		{
			"fieldname": "reference_doctype",
			"label": _("Card Type"),
			"fieldtype": "Link",
			"options": "DocType",
			"width": 110,
		},
		{
			"fieldname": "reference_name",
			"label": _("Card"),
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 170,
		},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 200},
		{"fieldname": "funnel", "label": _("Funnel"), "fieldtype": "Link", "options": "Funnel", "width": 150},
		{"fieldname": "stage", "label": _("Stage"), "fieldtype": "Data", "width": 160},
		{"fieldname": "stage_since", "label": _("In Stage Since"), "fieldtype": "Datetime", "width": 160},
		{
			"fieldname": "days_in_stage",
			"label": _("Days in Stage"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 110,
		},
		{"fieldname": "stale_after_days", "label": _("Stale After (Days)"), "fieldtype": "Int", "width": 130},
		{
			"fieldname": "days_overdue",
			"label": _("Days Over the Limit"),
			"fieldtype": "Float",
			"precision": 1,
			"width": 140,
		},
		{
			"fieldname": "card_owner",
			"label": _("Owner"),
			"fieldtype": "Link",
			"options": "User",
			"width": 180,
		},
		{"fieldname": "next_action", "label": _("Next Action"), "fieldtype": "Data", "width": 220},
		{"fieldname": "amount", "label": _("Amount"), "fieldtype": "Currency", "width": 120},
	]
	total = sum(r[2] for r in per_stage)
	labels = [f"{stage} ({funnel})" if not f.funnel else stage for funnel, stage, _n in per_stage]
	chart = {
		"data": {
			"labels": labels,
			"datasets": [{"name": _("Stale Cards"), "values": [r[2] for r in per_stage]}],
		},
		"type": "bar",
		"colors": ["#e24c4c"],
	}
	summary = [
		{
			"label": _("Stale cards"),
			"value": total,
			"indicator": "Red" if total else "Green",
			"datatype": "Int",
		},
		{"label": _("Shown (oldest first)"), "value": len(data), "indicator": "Grey", "datatype": "Int"},
	]
	return columns, data, None, chart, summary


# --- Funnel Forecast ----------------------------------------------------------------------


def _close_plan(f: Filters) -> tuple[tuple | None, list[tuple]]:
	"""Split the close-date filters into whole months the running totals answer — (first month,
	last month), either end None when open; None when no whole month is left — and the part-months
	at the edges, [(from, to)], that are counted from the cards."""
	if not f.from_date and not f.to_date:
		return (None, None), []
	low = high = None
	edges = []
	if f.from_date:
		low = getdate(get_first_day(f.from_date))
		if f.from_date != low:
			low = getdate(add_months(low, 1))
			edges.append([f.from_date, getdate(get_last_day(f.from_date))])
	if f.to_date:
		high = getdate(get_first_day(f.to_date))
		if f.to_date != getdate(get_last_day(f.to_date)):
			if edges and edges[0][0] >= high:  # one part-month: from and to in the same month
				edges[0][1] = f.to_date
			else:
				edges.append([high, f.to_date])
			high = getdate(add_months(high, -1))
	if edges and f.to_date and edges[0][1] > f.to_date:
		edges[0][1] = f.to_date
	months = None if low and high and low > high else (low, high)
	return months, [tuple(edge) for edge in edges]


def _forecast_scopes(f: Filters) -> list[tuple[str, Scope]]:
	doctypes = _doctypes_for(f)
	if not doctypes:
		frappe.throw(_("You do not have permission to read any funnel cards."), frappe.PermissionError)
	return [(doctype, scope_for(doctype)) for doctype in doctypes]


def _totals_scope_sql(f: Filters, scopes: list[tuple[str, Scope]], params: dict) -> str:
	"""The user's scope on the running totals (alias t), as on the current-stage table: per card
	type, by the dimensions the totals keep (no scope here needs the cards themselves)."""
	if f.funnel:
		return scopes[0][1].conditions("t", params, reference=False)
	if len(scopes) == len(card_doctypes()) and all(not scope.dims for _d, scope in scopes):
		return "1=1"
	parts = []
	for index, (doctype, scope) in enumerate(scopes):
		local: dict = {}
		condition = scope.conditions("t", local, reference=False)
		for key, value in local.items():
			params[f"{key}_{index}"] = value
			condition = condition.replace(f"%({key})s", f"%({key}_{index})s")
		params[f"totals_doctype_{index}"] = doctype
		parts.append(f"(t.reference_doctype = %(totals_doctype_{index})s and {condition})")
	return "(" + " or ".join(parts) + ")"


def _forecast_from_totals(f: Filters, scopes: list[tuple[str, Scope]], months: tuple) -> list:
	"""The forecast's rows (funnel, stage, month, owner, cards, amount) for whole close months from
	the running totals (forecast_totals.py), at the smallest level that keeps the filters and the
	user's scope. One query."""
	needs = {
		column: bool(getattr(f, column)) or any(column in scope.dims for _d, scope in scopes)
		for column in ("source", "territory")
	}
	level = forecast_totals.level_for(needs["source"], needs["territory"])
	params: dict = {"level": level}
	where = ["t.level = %(level)s"]
	funnel = load_funnel(f.funnel).name if f.funnel else None  # as stored (cached)
	if funnel:
		params["funnel"] = funnel
		where.append("t.funnel = %(funnel)s")
	# the levels that fold a dimension hold '' in it
	where += [f"t.`{column}` = ''" for column, needed in needs.items() if not needed]
	if not (funnel and (f.source or f.territory)):
		# the level's rows of the funnel (or of every funnel) lie together: one primary-key range
		params["lo"], params["hi"] = forecast_totals.name_range(level, funnel)
		where.append("t.name >= %(lo)s and t.name < %(hi)s")
	# else the index on (level, funnel, source, territory) reads only the rows of those values
	low, high = months
	if low:
		params["close_from"] = low
		where.append("t.month >= %(close_from)s")
	if high:
		params["close_to"] = high
		where.append("t.month <= %(close_to)s")
	where += [f.equalities("t", params), _totals_scope_sql(f, scopes, params)]
	return frappe.db.sql(
		f"""select t.funnel, t.stage, date_format(t.month, '%%Y-%%m-01') as month, t.card_owner,
			sum(t.cards) as cards, sum(t.amount)
		from `tab{forecast_totals.TOTALS}` t where {" and ".join(where)}
		group by t.funnel, t.stage, t.month, t.card_owner having cards != 0""",
		params,
	)


def _forecast_from_cards(f: Filters, close: list[tuple] | None = None, funnels: list | None = None) -> list:
	"""The forecast's rows counted from the open cards one by one (the exact path), for the
	close-date filters or for the given close-date ranges (of the given funnels). One query."""
	params: dict = {}
	where = _open_cards_where(f, params)
	if funnels is not None:
		# one index range per funnel and close-date range instead of every open card
		params["close_funnels"] = tuple(funnels) or ("\x00",)
		where += " and s.funnel in %(close_funnels)s"
	if close is not None:
		ranges = []
		for index, (start, end) in enumerate(close):
			params[f"close_from_{index}"], params[f"close_to_{index}"] = start, end
			ranges.append(f"s.expected_close between %(close_from_{index})s and %(close_to_{index})s")
		where += f" and ({' or '.join(ranges)})"
	else:
		if f.from_date:
			params["close_from"] = f.from_date
			where += " and s.expected_close >= %(close_from)s"
		if f.to_date:
			params["close_to"] = f.to_date
			where += " and s.expected_close <= %(close_to)s"
	return frappe.db.sql(
		f"""select s.funnel, s.stage, date_format(s.expected_close, '%%Y-%%m-01') as month, s.card_owner,
			count(*), sum(s.amount)
		from `tab{STATE}` s where {where}
		group by s.funnel, s.stage, month, s.card_owner""",
		params,
	)


TOTALS_PATH = "totals"
EXACT_PATH = "exact"
MIXED_PATH = "totals+edges"


def forecast_rows(f: Filters) -> tuple[list, str]:
	"""The forecast's rows and the path that counted them: the running totals when the user's scope
	is expressible in their dimensions (part-months at the edges of the close dates counted from the
	cards), else the open cards one by one (user permissions on the cards, owner-only roles,
	permission hooks)."""
	scopes = _forecast_scopes(f)
	if any(scope.exact for _d, scope in scopes):
		return list(_forecast_from_cards(f)), EXACT_PATH
	months, edges = _close_plan(f)
	rows = list(_forecast_from_totals(f, scopes, months)) if months is not None else []
	if edges:
		funnels = None
		if not f.funnel:  # the funnels with open cards: those in the totals' smallest level
			lo, hi = forecast_totals.name_range(forecast_totals.BY_COMPANY)
			funnels = frappe.db.sql_list(
				f"""select distinct funnel from `tab{forecast_totals.TOTALS}`
				where name >= %s and name < %s and level = %s""",
				(lo, hi, forecast_totals.BY_COMPANY),
			)
		rows += list(_forecast_from_cards(f, edges, funnels))
	return rows, MIXED_PATH if edges else TOTALS_PATH


def _counted_from(path: str) -> str:
	return {
		TOTALS_PATH: _("running totals (kept with every move)"),
		EXACT_PATH: _("the open cards one by one (exact path)"),
		MIXED_PATH: _("running totals for whole months, the open cards one by one for part-months"),
	}[path]


def forecast_report(filters) -> tuple[list, list, None, dict, list]:
	f = parse_filters(filters, need_funnel=False, need_period=False)
	rows, path = forecast_rows(f)
	funnels = funnel_definitions({r[0] for r in rows})
	cells: dict = {}
	for funnel_name, stage_name, month, owner, count, amount in rows:
		funnel = funnels.get(funnel_name)
		stage = funnel.stage(stage_name) if funnel else None
		probability = stage.probability if stage else 0
		cell = cells.setdefault((month or "", owner or ""), [0, 0.0, 0.0])
		cell[0] += int(count)
		cell[1] += float(amount or 0)
		cell[2] += analytics.weighted(amount, probability)
	columns = [
		{"fieldname": "month", "label": _("Expected Close Month"), "fieldtype": "Data", "width": 160},
		{
			"fieldname": "card_owner",
			"label": _("Owner"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "cards", "label": _("Open Cards"), "fieldtype": "Int", "width": 110},
		{"fieldname": "amount", "label": _("Open Amount"), "fieldtype": "Currency", "width": 150},
		{
			"fieldname": "weighted_amount",
			"label": _("Weighted Amount"),
			"fieldtype": "Currency",
			"width": 160,
		},
	]
	data = []
	for (month, owner), (count, amount, weighted_amount) in sorted(
		cells.items(), key=lambda c: (c[0][0] or "9999", c[0][1])
	):
		data.append(
			{
				"month": month[:7] if month else _("No close date"),
				"card_owner": owner,
				"cards": count,
				"amount": round(amount, 2),
				"weighted_amount": round(weighted_amount, 2),
			}
		)
	by_month: dict = {}
	for r in data:  # one pass (was one per month)
		sums = by_month.setdefault(r["month"], [0.0, 0.0])
		sums[0] += r["amount"]
		sums[1] += r["weighted_amount"]
	months = sorted(by_month)
	chart = {
		"data": {
			"labels": months,
			"datasets": [
				{"name": _("Open Amount"), "values": [by_month[m][0] for m in months]},
				{"name": _("Weighted Amount"), "values": [by_month[m][1] for m in months]},
			],
		},
		"type": "bar",
		"colors": ["#a3c7f7", "#2490ef"],
	}
	summary = [
		{
			"label": _("Open amount"),
			"value": round(sum(r["amount"] for r in data), 2),
			"indicator": "Blue",
			"datatype": "Currency",
		},
		{
			"label": _("Weighted forecast"),
			"value": round(sum(r["weighted_amount"] for r in data), 2),
			"indicator": "Green",
			"datatype": "Currency",
		},
		{
			"label": _("Open cards"),
			"value": sum(r["cards"] for r in data),
			"indicator": "Grey",
			"datatype": "Int",
		},
		{"label": _("Counted from"), "value": _counted_from(path), "indicator": "Grey", "datatype": "Data"},
	]
	return columns, data, None, chart, summary


# --- number cards -------------------------------------------------------------------------


def _month() -> tuple[dt.date, dt.date]:
	return getdate(get_first_day(today())), getdate(get_last_day(today()))


def open_cards() -> int:
	return _count_open(stale_only=False)


def stale_cards() -> int:
	return _count_open(stale_only=True)


def _count_open(stale_only: bool) -> int:
	params: dict = {}
	where = _open_cards_where(Filters(None, None, None, None), params, stale_only=stale_only)
	return frappe.db.sql(f"select count(*) from `tab{STATE}` s where {where}", params)[0][0]


def month_totals() -> tuple[int, int]:
	"""(cards that entered an entry stage, cards that reached a Won stage) this month, over the
	funnels the user may see."""
	start, end = _month()
	entered = won = 0
	names = frappe.get_all("Funnel", filters={"enabled": 1}, fields=["name", "document_type"])
	for row in names:
		if not frappe.has_permission(row.document_type, "read"):
			continue
		f = Filters(row.name, row.document_type, start, end)
		funnel = load_funnel(row.name)
		counters = conversion_counters(f)
		entry = funnel.entry_stage
		for (_g, stage), c in counters.items():
			st = funnel.stage(stage)
			if entry and st is not None and st.key == entry.key:
				entered += c.entered
			if st is not None and st.kind == "Won":
				won += c.entered
	return entered, won
