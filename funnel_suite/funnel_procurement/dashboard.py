"""Lineage on both sides: the deal, sales order or project a case serves lists the case in its
connections (the count and the list go through the user's permissions on cases), and the
customer journey shows the cases serving the customer's deals, orders and projects."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_procurement.permissions import SERVES_DOCTYPES

CASE = "Procurement Case"


def _add_cases(data, doctype: str):
	data = frappe._dict(data)
	data.setdefault("non_standard_fieldnames", {})[CASE] = "serves"
	data.setdefault("dynamic_links", {})["serves"] = [doctype, "serves_doctype"]
	data.setdefault("transactions", []).append({"label": _("Procurement"), "items": [CASE]})
	return data


def opportunity_dashboard(data):
	return _add_cases(data, "Opportunity")


def sales_order_dashboard(data):
	return _add_cases(data, "Sales Order")


def project_dashboard(data):
	return _add_cases(data, "Project")


def customer_cases(customer: str) -> dict[str, list[str]]:
	"""Hook `funnel_customer_cards`: the cases serving the customer's deals, sales orders and
	projects that the user may read (everything through get_list)."""
	if not frappe.has_permission(CASE, "read"):
		return {}
	lead = frappe.db.get_value("Customer", customer, "lead_name")
	wanted = [
		("Opportunity", {"opportunity_from": "Customer", "party_name": customer}),
		("Sales Order", {"customer": customer}),
		("Project", {"customer": customer}),
	]
	if lead:
		wanted.append(("Opportunity", {"opportunity_from": "Lead", "party_name": lead}))
	cases: list[str] = []
	for doctype, filters in wanted:
		if doctype not in SERVES_DOCTYPES or not frappe.has_permission(doctype, "read"):
			continue
		served = frappe.get_list(doctype, filters=filters, pluck="name", limit_page_length=0)
		if served:
			cases += frappe.get_list(
				CASE,
				filters={"serves_doctype": doctype, "serves": ("in", served)},
				pluck="name",
				order_by="creation asc",
				limit_page_length=0,
			)
	return {CASE: list(dict.fromkeys(cases))} if cases else {}
