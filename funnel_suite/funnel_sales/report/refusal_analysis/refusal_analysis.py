# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Refusal Analysis: per salesperson and period — losses, verified, returned (%), reasons by
category and the deals returned. The head of sales sees who needs training."""

from __future__ import annotations

from collections import Counter, defaultdict

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate

from funnel_suite.funnels.charts import stacked_bar

NO_CATEGORY = "—"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	reviews = get_reviews(filters)
	categories = sorted({c for r in reviews for c in review_categories(r)})
	rows = summarize(reviews, categories)
	return columns(categories), rows, None, chart(rows), summary(rows)


def get_reviews(filters) -> list[dict]:
	conditions = {}
	if filters.get("from_date") and filters.get("to_date"):
		if getdate(filters.from_date) > getdate(filters.to_date):
			frappe.throw(_("From Date must be before To Date."), title=_("Invalid Period"))
		conditions["lost_on"] = ("between", [filters.from_date, add_days(filters.to_date, 1)])
	if filters.get("salesperson"):
		conditions["salesperson"] = filters.salesperson
	if filters.get("funnel"):
		conditions["deal_funnel"] = filters.funnel
	return frappe.get_list(
		"Refusal Review",
		filters=conditions,
		fields=["name", "salesperson", "status", "categories", "corrected_category", "opportunity"],
		order_by="salesperson asc, lost_on asc",
	)


def review_categories(review) -> list[str]:
	if review.corrected_category:
		return [review.corrected_category]
	return [c for c in (review.categories or "").split("\n") if c] or [NO_CATEGORY]


def summarize(reviews, categories) -> list[dict]:
	by_person: dict[str, list] = defaultdict(list)
	for review in reviews:
		by_person[review.salesperson or ""].append(review)
	rows = []
	for person, items in sorted(by_person.items()):
		status = Counter(r.status for r in items)
		decided = status["Verified"] + status["Returned"]
		row = {
			"salesperson": person,
			"losses": len(items),
			"verified": status["Verified"],
			"returned": status["Returned"],
			"pending": status["Pending"],
			"returned_percent": flt(100 * status["Returned"] / decided, 1) if decided else 0,
			"returned_deals": ", ".join(r.opportunity for r in items if r.status == "Returned"),
		}
		counts = Counter(c for r in items for c in review_categories(r))
		for category in categories:
			row[frappe.scrub(category)] = counts[category]
		rows.append(row)
	return rows


def columns(categories) -> list[dict]:
	cols = [
		{
			"fieldname": "salesperson",
			"label": _("Salesperson"),
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"fieldname": "losses", "label": _("Losses"), "fieldtype": "Int", "width": 90},
		{"fieldname": "verified", "label": _("Verified"), "fieldtype": "Int", "width": 90},
		{"fieldname": "returned", "label": _("Returned"), "fieldtype": "Int", "width": 90},
		{"fieldname": "pending", "label": _("Pending Review"), "fieldtype": "Int", "width": 110},
		{"fieldname": "returned_percent", "label": _("Returned (%)"), "fieldtype": "Percent", "width": 110},
	]
	cols += [
		{"fieldname": frappe.scrub(c), "label": _(c), "fieldtype": "Int", "width": 100} for c in categories
	]
	cols.append(
		{"fieldname": "returned_deals", "label": _("Deals Returned"), "fieldtype": "Small Text", "width": 260}
	)
	return cols


def chart(rows) -> dict | None:
	if not rows:
		return None
	return stacked_bar(
		[r["salesperson"] or _("Not set") for r in rows],
		[
			(_("Verified"), [r["verified"] for r in rows], "#29CD42"),
			(_("Returned"), [r["returned"] for r in rows], "#FF5858"),
			(_("Pending Review"), [r["pending"] for r in rows], "#ECAD4B"),
		],
	)


def summary(rows) -> list[dict]:
	losses = sum(r["losses"] for r in rows)
	returned = sum(r["returned"] for r in rows)
	decided = sum(r["verified"] + r["returned"] for r in rows)
	return [
		{"value": losses, "label": _("Losses"), "datatype": "Int", "indicator": "Blue"},
		{"value": returned, "label": _("Returned"), "datatype": "Int", "indicator": "Red"},
		{
			"value": flt(100 * returned / decided, 1) if decided else 0,
			"label": _("Returned (%)"),
			"datatype": "Percent",
			"indicator": "Orange",
		},
	]
