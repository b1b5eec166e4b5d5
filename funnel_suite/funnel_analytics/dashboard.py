"""The Funnels workspace: number cards and dashboard chart sources.

All figures are the user's own view (the same permission scopes as the reports) and are never
cached across users. The whitelisted entry points are in `funnel_suite.api`.
"""

from __future__ import annotations

import datetime as dt

import frappe
from frappe import _
from frappe.utils import add_months, get_first_day, getdate, today

from funnel_suite.engine import analytics
from funnel_suite.funnel_analytics import reports
from funnel_suite.funnels.card import default_funnel, load_funnel


def _card(value, fieldtype: str, report: str, route_options: dict | None = None) -> dict:
	return {
		"value": value,
		"fieldtype": fieldtype,
		"route": ["query-report", report],
		"route_options": route_options or {},
	}


def open_cards_card() -> dict:
	return _card(reports.open_cards(), "Int", "Funnel Forecast")


def stale_cards_card() -> dict:
	return _card(reports.stale_cards(), "Int", "Stale Cards")


def won_this_month_card() -> dict:
	_entered, won = reports.month_totals()
	return _card(won, "Int", "Funnel Conversion", _month_filters())


def conversion_this_month_card() -> dict:
	entered, won = reports.month_totals()
	return _card(analytics.ratio(won, entered) or 0, "Percent", "Funnel Conversion", _month_filters())


def _month_filters() -> dict:
	funnel = default_funnel("Opportunity")
	filters = {"from_date": str(getdate(get_first_day(today()))), "to_date": today()}
	return {**filters, "funnel": funnel} if funnel else filters


def _chart_funnel(filters) -> str | None:
	filters = frappe.parse_json(filters) or {}
	return filters.get("funnel") or default_funnel("Opportunity")


def stage_counts_chart(filters=None) -> dict:
	"""Cards in each stage of a funnel now, open stages first (bar chart)."""
	funnel_name = _chart_funnel(filters)
	if not funnel_name:
		return {"labels": [], "datasets": []}
	funnel = load_funnel(funnel_name)
	_columns, data, _m, _chart, _summary = reports.velocity_report(
		{"funnel": funnel_name, "from_date": today(), "to_date": today()}
	)
	rows = [r for r in data if r["kind"] == _("Open")]
	return {
		"labels": [r["stage"] for r in rows],
		"datasets": [{"name": _("Cards Now"), "values": [r["cards_now"] for r in rows]}],
		"type": "bar",
		"title": funnel.name,
	}


def monthly_flow_chart(filters=None) -> dict:
	"""Cards entering a funnel and cards won, per month over the last 12 months (line chart)."""
	funnel_name = _chart_funnel(filters)
	if not funnel_name:
		return {"labels": [], "datasets": []}
	funnel = load_funnel(funnel_name)
	first = getdate(add_months(get_first_day(today()), -11))
	f = reports.Filters(funnel_name, funnel.document_type, first, getdate(today()))
	f.group_by = None
	counters = _per_month(f)
	months = [getdate(add_months(first, i)) for i in range(12)]
	entry = funnel.entry_stage
	entered, won = [], []
	for month in months:
		per_stage = counters.get(month, {})
		entered.append(per_stage.get(entry.key, 0) if entry else 0)
		won.append(sum(n for key, n in per_stage.items() if (s := funnel.stage(key)) and s.kind == "Won"))
	return {
		"labels": [m.strftime("%Y-%m") for m in months],
		"datasets": [
			{"name": _("Entered"), "values": entered},
			{"name": _("Won"), "values": won},
		],
		"type": "line",
	}


def _per_month(f: reports.Filters) -> dict[dt.date, dict[str, int]]:
	"""Entered counts per month and stage key, from the summary (one query)."""
	from funnel_suite.funnel_analytics.scope import scope_for
	from funnel_suite.funnel_analytics.summary import SUMMARY

	scope = scope_for(f.doctype)
	if scope.exact:
		result: dict = {}
		for month_start in (getdate(add_months(f.from_date, i)) for i in range(12)):
			month_end = getdate(add_months(month_start, 1)) - dt.timedelta(days=1)
			part = reports.Filters(f.funnel, f.doctype, month_start, min(month_end, f.to_date))
			for (_g, stage), c in reports.conversion_counters(part).items():
				result.setdefault(month_start, {})[analytics.normalize_stage_name(stage)] = c.entered
		return result
	# the monthly rows hold every move of their month, the current one included
	params: dict = {
		"funnel": f.funnel,
		"from": f.from_date,
		"to": getdate(get_first_day(f.to_date)),
		"grain": "Company Month" if set(scope.dims) <= {"company"} else "Month",
	}
	rows = frappe.db.sql(
		f"""select s.period, s.stage, sum(s.entered) from `tab{SUMMARY}` s
		where s.funnel = %(funnel)s and s.grain = %(grain)s and s.period between %(from)s and %(to)s
			and {scope.conditions("s", params, reference=False)}
		group by 1, 2""",
		params,
	)
	result = {}
	for month, stage, entered in rows:
		result.setdefault(getdate(month), {})[analytics.normalize_stage_name(stage)] = int(entered or 0)
	return result
