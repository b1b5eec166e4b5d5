"""Analytics: the customer journey and the Funnels workspace's number cards and charts
(funnel_analytics/)."""

from __future__ import annotations

import frappe
from frappe import _


def _check_analytics_access() -> None:
	"""The workspace figures are for users who may read at least one kind of funnel card."""
	from funnel_suite.funnels.card import card_doctypes

	if not any(frappe.has_permission(doctype, "read") for doctype in card_doctypes()):
		frappe.throw(_("You do not have permission to read any funnel cards."), frappe.PermissionError)


@frappe.whitelist()
def get_customer_journey(customer: str) -> dict:
	"""Every card of a customer across funnels (only those the user may open), with stage, days
	there, next action, owner, last touch and a silence warning."""
	from funnel_suite.funnel_analytics.journey import customer_journey

	if not customer or not frappe.db.exists("Customer", customer):
		frappe.throw(
			_("Customer {0} does not exist.").format(frappe.bold(customer or "")), frappe.DoesNotExistError
		)
	return customer_journey(customer)


@frappe.whitelist()
def funnel_open_cards(filters=None) -> dict:
	"""Number card: cards in open stages of every funnel the user may see."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.open_cards_card()


@frappe.whitelist()
def funnel_stale_cards(filters=None) -> dict:
	"""Number card: cards past their stage's stale limit."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.stale_cards_card()


@frappe.whitelist()
def funnel_won_this_month(filters=None) -> dict:
	"""Number card: cards that reached a Won stage this month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.won_this_month_card()


@frappe.whitelist()
def funnel_conversion_this_month(filters=None) -> dict:
	"""Number card: cards won this month as a % of the cards that entered a funnel this month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.conversion_this_month_card()


@frappe.whitelist()
def funnel_stage_counts_chart(chart_name=None, chart=None, no_cache=None, filters=None, **_ignored) -> dict:
	"""Dashboard chart source "Funnel Stage Counts": cards in each open stage of a funnel now."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.stage_counts_chart(_chart_filters(chart_name, filters))


@frappe.whitelist()
def funnel_monthly_flow_chart(chart_name=None, chart=None, no_cache=None, filters=None, **_ignored) -> dict:
	"""Dashboard chart source "Funnel Monthly Flow": cards entering a funnel and cards won, by month."""
	from funnel_suite.funnel_analytics import dashboard

	_check_analytics_access()
	return dashboard.monthly_flow_chart(_chart_filters(chart_name, filters))


def _chart_filters(chart_name, filters) -> dict:
	parsed = frappe.parse_json(filters) if filters else None
	if not parsed and chart_name and frappe.db.exists("Dashboard Chart", chart_name):
		parsed = frappe.parse_json(frappe.db.get_value("Dashboard Chart", chart_name, "filters_json") or "{}")
	return parsed or {}


@frappe.whitelist(methods=["POST"])
def rebuild_forecast_totals(funnel: str | None = None) -> dict:
	"""System Manager: recompute Funnel Forecast's running totals (of one funnel, or all) from the
	current-stage table, in this request's transaction. Returns {"rows"}."""
	from funnel_suite.funnel_analytics import forecast_totals

	# not frappe.only_for: it lets everyone through while tests run
	if "System Manager" not in frappe.get_roles():
		frappe.throw(
			_("Only a System Manager may rebuild the Funnel Forecast totals."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	if funnel and not frappe.db.exists("Funnel", funnel):
		frappe.throw(
			_(
				"Funnel {0} does not exist. Pick a funnel from the list, or leave it empty for every funnel."
			).format(frappe.bold(funnel)),
			frappe.DoesNotExistError,
		)
	# the totals are derived data the app writes with SQL; the caller is a System Manager (above)
	return {"rows": forecast_totals.rebuild(funnel or None)}
