"""Install wiring of Funnel Qualification: the Funnel Intake role, the qualification and intake
fields on the Lead, the default Disqualification Reasons, the intake's key table filled from the
existing Leads and Contacts; the fields are removed again on uninstall."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_host_fields
from funnel_suite.funnels.setup import ensure_roles

# The integration user of the intake (with Sales User, see funnels/setup.py).
ROLES = ("Funnel Intake",)
LEAD_FIELDS = [
	{
		"fieldname": "funnel_need",
		"label": "Need",
		"fieldtype": "Small Text",
		"insert_after": "funnel_source_name",
		"no_copy": 1,
		"description": "What the contact needs, in their words: part of the qualification checklist.",
	},
	{
		"fieldname": "funnel_archived",
		"label": "Archived",
		"fieldtype": "Check",
		"insert_after": "funnel_need",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"description": "Disqualified and archived: kept with its history, never deleted.",
	},
	{
		"fieldname": "funnel_disqualification_reason",
		"label": "Disqualification Reason",
		"fieldtype": "Link",
		"options": "Disqualification Reason",
		"insert_after": "funnel_archived",
		"read_only": 1,
		"no_copy": 1,
	},
	{
		"fieldname": "funnel_disqualification_note",
		"label": "Disqualification Note",
		"fieldtype": "Small Text",
		"insert_after": "funnel_disqualification_reason",
		"read_only": 1,
		"no_copy": 1,
	},
	{
		"fieldname": "funnel_target_for",
		"label": "Prospect For",
		"fieldtype": "Link",
		"options": "Item Group",
		"insert_after": "funnel_disqualification_note",
		"no_copy": 1,
		"description": "A lead that is not a target for this product line may be one for another: it joins the Cross-sell Leads list.",
	},
]
LEAD_FIELDS += [
	{
		"fieldname": fieldname,
		"label": label,
		"fieldtype": "Data",
		"insert_after": after,
		"no_copy": 1,
		"in_standard_filter": 1 if fieldname == "funnel_utm_source" else 0,
	}
	for fieldname, label, after in (
		("funnel_utm_source", "UTM Source", "funnel_target_for"),
		("funnel_utm_medium", "UTM Medium", "funnel_utm_source"),
		("funnel_utm_campaign", "UTM Campaign", "funnel_utm_medium"),
	)
]
LEAD_FIELDS += [
	{
		"fieldname": "funnel_external_id",
		"label": "External ID",
		"fieldtype": "Data",
		"insert_after": "funnel_utm_campaign",
		"read_only": 1,
		"no_copy": 1,
		"description": "The id an integration gave this inquiry; the same id again finds this lead.",
	},
	{
		"fieldname": "funnel_returning",
		"label": "Returning",
		"fieldtype": "Check",
		"insert_after": "funnel_external_id",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"description": "An archived lead that came back with a new inquiry.",
	},
	{
		"fieldname": "funnel_phone_as_given",
		"label": "Phone as Given",
		"fieldtype": "Data",
		"insert_after": "funnel_returning",
		"read_only": 1,
		"no_copy": 1,
		"description": "A phone the intake could not read as a number, stored as it came. Check it and fill in Mobile No.",
	},
	{
		"fieldname": "funnel_channel",
		"label": "Channel",
		"fieldtype": "Data",
		"insert_after": "funnel_phone_as_given",
		"read_only": 1,
		"no_copy": 1,
		"in_standard_filter": 1,
		"description": "Where the inquiry came in: API, Data Import, Web Form, E-mail, Telegram (or the integration's own word).",
	},
]
LEAD_FIELDNAMES = tuple(f["fieldname"] for f in LEAD_FIELDS)
DISQUALIFICATION_REASONS = (
	"Not our target audience",
	"No budget",
	"Spam or wrong contact",
	"Duplicate",
	"Other",
)

# Frappe translates custom field labels when it renders a form; listing them with _lt() puts
# them in locale/main.pot (the dicts above keep the English text that is stored).
_LABELS = (
	_lt("What the contact needs, in their words: part of the qualification checklist."),
	_lt("Phone as Given"),
	_lt("A phone the intake could not read as a number, stored as it came. Check it and fill in Mobile No."),
	_lt("Channel"),
	_lt(
		"Where the inquiry came in: API, Data Import, Web Form, E-mail, Telegram (or the integration's own word)."
	),
	_lt("External ID"),
	_lt("The id an integration gave this inquiry; the same id again finds this lead."),
	_lt("Returning"),
	_lt("An archived lead that came back with a new inquiry."),
	_lt("UTM Source"),
	_lt("UTM Medium"),
	_lt("UTM Campaign"),
	_lt("Archived"),
	_lt("Disqualified and archived: kept with its history, never deleted."),
	_lt("Disqualification Reason"),
	_lt("Disqualification Note"),
	_lt("Prospect For"),
	_lt(
		"A lead that is not a target for this product line may be one for another: it joins the Cross-sell Leads list."
	),
	_lt("Not our target audience"),
	_lt("No budget"),
	_lt("Spam or wrong contact"),
	_lt("Duplicate"),
)


def create_roles() -> None:
	ensure_roles(ROLES)


def create_qualification_fields() -> None:
	create_custom_fields({"Lead": LEAD_FIELDS}, update=True)


def create_disqualification_reasons():
	for name in DISQUALIFICATION_REASONS:
		if not frappe.db.exists("Disqualification Reason", name):
			frappe.get_doc({"doctype": "Disqualification Reason", "reason_name": name, "enabled": 1}).insert(
				ignore_permissions=True
			)


def build_contact_keys() -> None:
	"""after_install: the intake's key table from the Leads and Contacts already there."""
	from funnel_suite.funnel_qualification.keys import backfill

	backfill()


def remove_qualification_fields() -> None:
	"""before_uninstall: the fields go; every Lead stays."""
	remove_host_fields(["Lead"], LEAD_FIELDNAMES)
