"""The customer journey: every card of a customer in every funnel, where it is now, the next
action, the last touch and whether the customer has gone silent.

Cards of a customer: its Lead (Customer.lead_name), Opportunities for the customer or for that
lead, Refusal Reviews of those deals, plus what the `funnel_customer_cards` hook adds (a method
called with the customer name returning {doctype: [names]}). Everything is read with
`frappe.get_list`, so a user sees only the cards and communications they may open.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from funnel_suite.engine import analytics
from funnel_suite.funnels.card import card_doctypes, load_funnel
from funnel_suite.funnels.tasks import OWNER_FIELDS


def customer_cards(customer: str) -> dict[str, list[str]]:
	lead = frappe.db.get_value("Customer", customer, "lead_name")
	leads = [lead] if lead else []
	cards: dict[str, list[str]] = {"Lead": leads}
	deals = frappe.get_list(
		"Opportunity",
		filters={"opportunity_from": "Customer", "party_name": customer},
		pluck="name",
		order_by="creation asc",
	)
	if leads:
		deals += frappe.get_list(
			"Opportunity",
			filters={"opportunity_from": "Lead", "party_name": ("in", leads)},
			pluck="name",
			order_by="creation asc",
		)
	cards["Opportunity"] = deals
	if deals and "Refusal Review" in card_doctypes() and frappe.has_permission("Refusal Review", "read"):
		cards["Refusal Review"] = frappe.get_list(
			"Refusal Review", filters={"opportunity": ("in", deals)}, pluck="name", order_by="creation asc"
		)
	for method in frappe.get_hooks("funnel_customer_cards"):
		for doctype, names in (frappe.get_attr(method)(customer) or {}).items():
			cards.setdefault(doctype, []).extend(names)
	return cards


def _last_touches(customer: str, cards: dict[str, list[str]]) -> dict[tuple[str, str], object]:
	"""Latest communication date per (doctype, name), the customer's own included."""
	touches = {}
	for doctype, names in {**cards, "Customer": [customer]}.items():
		if not names or not frappe.has_permission("Communication", "read"):
			continue
		for row in frappe.get_list(
			"Communication",
			filters={"reference_doctype": doctype, "reference_name": ("in", names)},
			fields=["reference_name", "max(communication_date) as last_touch"],
			group_by="reference_name",
			order_by="reference_name",
		):
			touches[(doctype, row.reference_name)] = get_datetime(row.last_touch) if row.last_touch else None
	return touches


def customer_journey(customer: str) -> dict:
	if not frappe.has_permission("Customer", "read", customer):
		frappe.throw(
			_("You do not have permission to read Customer {0}.").format(customer), frappe.PermissionError
		)
	cards = customer_cards(customer)
	touches = _last_touches(customer, cards)
	now = now_datetime()
	customer_touch = touches.get(("Customer", customer))
	rows = []
	for doctype, names in cards.items():
		if not names or not frappe.has_permission(doctype, "read"):
			continue
		meta = frappe.get_meta(doctype)
		owner_field = OWNER_FIELDS.get(doctype)
		fields = ["name", "funnel", "funnel_stage", "funnel_stage_since", "owner", "modified"]
		if owner_field and meta.has_field(owner_field):
			fields.append(owner_field)
		if meta.title_field and meta.title_field not in fields:
			fields.append(meta.title_field)
		for card in frappe.get_list(
			doctype, filters={"name": ("in", names)}, fields=fields, order_by="creation asc"
		):
			if not card.funnel:
				continue
			try:
				funnel = load_funnel(card.funnel)
			except frappe.DoesNotExistError:
				continue
			stage = funnel.stage(card.funnel_stage)
			since = get_datetime(card.funnel_stage_since) if card.funnel_stage_since else None
			touch = max((t for t in (touches.get((doctype, card.name)), customer_touch) if t), default=None)
			limit = stage.stale_after_days if stage and stage.is_open else 0
			silent = analytics.is_silent(touch, since, now, limit)
			rows.append(
				{
					"doctype": doctype,
					"name": card.name,
					"title": card.get(meta.title_field) if meta.title_field else card.name,
					"funnel": card.funnel,
					"stage": card.funnel_stage,
					"stage_kind": stage.kind if stage else "",
					"indicator": _indicator(stage),
					"days_in_stage": round((now - since).total_seconds() / 86400, 1) if since else None,
					"next_action": stage.next_action if stage and stage.is_open else "",
					"owner": (owner_field and card.get(owner_field)) or card.owner,
					"last_touch": touch,
					"silent": silent,
					"silent_days": round((now - max(t for t in (touch, since) if t)).total_seconds() / 86400)
					if silent
					else None,
					"stale_after_days": limit,
				}
			)
	rows.sort(key=lambda r: (r["stage_kind"] != "Open", -(r["days_in_stage"] or 0)))
	last_touch = max((r["last_touch"] for r in rows if r["last_touch"]), default=customer_touch)
	return {
		"customer": customer,
		"cards": rows,
		"open_cards": sum(1 for r in rows if r["stage_kind"] == "Open"),
		"last_touch": last_touch,
		"silent": any(r["silent"] for r in rows),
	}


def _indicator(stage) -> str:
	if stage is None:
		return "gray"
	return {"Won": "green", "Lost": "red"}.get(stage.kind, "blue")
