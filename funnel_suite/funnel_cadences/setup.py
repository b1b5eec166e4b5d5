"""Custom fields of the cadences: where a Telegram message goes."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_custom_fields

TELEGRAM_FIELD = "telegram_chat_id"
CADENCE_FIELDS = {
	"Lead": [
		{
			"fieldname": TELEGRAM_FIELD,
			"label": "Telegram Chat ID",
			"fieldtype": "Data",
			"insert_after": "mobile_no",
			"no_copy": 1,
			"description": "Where cadence Telegram messages go: the chat id the bot sees when this person writes to it.",
		}
	],
	"Contact": [
		{
			"fieldname": TELEGRAM_FIELD,
			"label": "Telegram Chat ID",
			"fieldtype": "Data",
			"insert_after": "mobile_no",
			"no_copy": 1,
			"description": "Where cadence Telegram messages go: the chat id the bot sees when this person writes to it.",
		}
	],
}

_LABELS = (
	_lt("Cadences"),
	_lt("Telegram Chat ID"),
	_lt("Where cadence Telegram messages go: the chat id the bot sees when this person writes to it."),
)


def create_cadence_fields() -> None:
	create_custom_fields(CADENCE_FIELDS, update=True)


def remove_cadence_fields() -> None:
	"""before_uninstall: drop the fields; the data of Leads and Contacts stays."""
	remove_custom_fields(CADENCE_FIELDS)


def lead_dashboard(data):
	return _add_enrollments(data, "Lead")


def opportunity_dashboard(data):
	return _add_enrollments(data, "Opportunity")


def _add_enrollments(data, doctype: str):
	"""Connections of a card: its cadence enrollments (linked by reference_doctype/name)."""
	data = frappe._dict(data)
	data.setdefault("non_standard_fieldnames", {})["Cadence Enrollment"] = "reference_name"
	data.setdefault("dynamic_links", {})["reference_name"] = [doctype, "reference_doctype"]
	data.setdefault("transactions", []).append({"label": "Cadences", "items": ["Cadence Enrollment"]})
	return data
