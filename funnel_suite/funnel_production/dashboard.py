"""Lineage on both sides: the deal or sales order an order was made for lists it in its
connections (through the user's permissions on orders), and the customer journey shows the
customer's orders the user may read."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_production.rows import ORDER


def _add_orders(data, doctype: str):
	data = frappe._dict(data)
	data.setdefault("non_standard_fieldnames", {})[ORDER] = "source_name"
	data.setdefault("dynamic_links", {})["source_name"] = [doctype, "source_doctype"]
	data.setdefault("transactions", []).append({"label": _("Production"), "items": [ORDER]})
	return data


def opportunity_dashboard(data):
	return _add_orders(data, "Opportunity")


def sales_order_dashboard(data):
	return _add_orders(data, "Sales Order")


def customer_orders(customer: str) -> dict[str, list[str]]:
	"""Hook `funnel_customer_cards`: the customer's production orders the user may read."""
	if not frappe.has_permission(ORDER, "read"):
		return {}
	names = frappe.get_list(
		ORDER, filters={"customer": customer}, pluck="name", order_by="creation asc", limit_page_length=0
	)
	return {ORDER: names} if names else {}
