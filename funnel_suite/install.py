"""Install, migrate and uninstall hooks."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnel_analytics.setup import create_journey_fields, remove_journey_fields
from funnel_suite.funnel_cadences.setup import create_cadence_fields, remove_cadence_fields
from funnel_suite.funnel_procurement.setup import create_procurement_setup, remove_procurement_fields

ROLES = ("Funnel Manager", "Funnel Reviewer", "Funnel Intake")
# The app's roles grant nothing on ERPNext's own doctypes: a permission rule added there makes
# the host copy every standard rule of that doctype into Custom DocPerm, after which ERPNext's own
# updates of its rules no longer reach the site. So a reviewer reads the deals it reviews through a
# sales role (Sales User / Sales Manager), and the integration user of the intake has Funnel
# Intake plus Sales User (the Leads, Contacts, Customers and Opportunities it works with).
LOST_CATEGORIES = (
	("Price", 0),
	("Not now", 1),
	("Competitor", 0),
	("No need", 0),
	("Bad fit", 0),
	("Other", 0),
)
LOST_REASON_FIELDS = [
	{
		"fieldname": "lost_category",
		"label": "Lost Reason Category",
		"fieldtype": "Link",
		"options": "Lost Reason Category",
		"insert_after": "lost_reason",
		"in_list_view": 1,
		"description": "Groups reasons in the Refusal Analysis; a category marked Hand to Deferred Demand means not now.",
	}
]
CARD_FIELDNAMES = (
	"funnel",
	"funnel_stage",
	"funnel_stage_since",
	"funnel_stale",
	"funnel_source_doctype",
	"funnel_source_name",
	"funnel_wake_up_on",
	"funnel_reanimated_on",
	"funnel_disqualification_reason",
	"funnel_disqualification_note",
	"funnel_target_for",
	"funnel_archived",
	"funnel_utm_source",
	"funnel_utm_medium",
	"funnel_utm_campaign",
	"funnel_external_id",
	"funnel_returning",
	"funnel_phone_as_given",
	"funnel_need",
)
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
]
DISQUALIFICATION_REASONS = (
	"Not our target audience",
	"No budget",
	"Spam or wrong contact",
	"Duplicate",
	"Other",
)
OPPORTUNITY_FIELDS = [
	{
		"fieldname": "funnel_wake_up_on",
		"label": "Wake Up On",
		"fieldtype": "Date",
		"insert_after": "funnel_source_name",
		"no_copy": 1,
		"description": "A deferred deal (lost for now) comes back to work on this day.",
	},
	{
		"fieldname": "funnel_reanimated_on",
		"label": "Reanimated On",
		"fieldtype": "Date",
		"insert_after": "funnel_wake_up_on",
		"read_only": 1,
		"no_copy": 1,
	},
]

# Frappe translates custom field labels when it renders a form; listing them with _lt() puts
# them in locale/main.pot (the dicts below keep the English text that is stored).
_LABELS = (
	_lt("What the contact needs, in their words: part of the qualification checklist."),
	_lt("Phone as Given"),
	_lt("A phone the intake could not read as a number, stored as it came. Check it and fill in Mobile No."),
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
	_lt("Wake Up On"),
	_lt("Reanimated On"),
	_lt("A deferred deal (lost for now) comes back to work on this day."),
	_lt("Lost Reason Category"),
	_lt("Groups reasons in the Refusal Analysis; a category marked Hand to Deferred Demand means not now."),
	_lt("Price"),
	_lt("Not now"),
	_lt("Competitor"),
	_lt("No need"),
	_lt("Bad fit"),
	_lt("In Stage Since"),
	_lt("Stale"),
	_lt("Escalated"),
	_lt("Handed Off From"),
	_lt("Handed Off From Type"),
	_lt("The funnel this card is in. Changing it puts the card in the new funnel's first stage."),
	_lt(
		"Set by the daily stale check: longer in this stage than it allows (Stale), or twice as long (Escalated). Cleared by the next move."
	),
	_lt("The card whose hand-off opened this one."),
)

# Where the funnel fields sit on each host form.
_ANCHOR = {"Lead": "status", "Opportunity": "sales_stage", "Refusal Review": "status"}
_ANCHOR["Procurement Case"] = "contract"


def card_fields(doctype: str) -> list[dict]:
	anchor = _ANCHOR.get(doctype)
	return [
		{
			"fieldname": "funnel",
			"label": "Funnel",
			"fieldtype": "Link",
			"options": "Funnel",
			"insert_after": anchor,
			"in_standard_filter": 1,
			"search_index": 1,
			"no_copy": 1,
			"translatable": 0,
			"description": "The funnel this card is in. Changing it puts the card in the new funnel's first stage.",
		},
		{
			"fieldname": "funnel_stage",
			"label": "Funnel Stage",
			"fieldtype": "Select",
			"options": "",
			"insert_after": "funnel",
			"in_standard_filter": 1,
			"in_list_view": 1,
			"no_copy": 1,
			"translatable": 0,
		},
		{
			"fieldname": "funnel_stage_since",
			"label": "In Stage Since",
			"fieldtype": "Datetime",
			"insert_after": "funnel_stage",
			"read_only": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "funnel_stale",
			"label": "Stale",
			"fieldtype": "Select",
			"options": "\nStale\nEscalated",
			"insert_after": "funnel_stage_since",
			"read_only": 1,
			"no_copy": 1,
			"in_standard_filter": 1,
			"description": "Set by the daily stale check: longer in this stage than it allows (Stale), or twice as long (Escalated). Cleared by the next move.",
		},
		{
			"fieldname": "funnel_source_doctype",
			"label": "Handed Off From Type",
			"fieldtype": "Link",
			"options": "DocType",
			"insert_after": "funnel_stale",
			"read_only": 1,
			"hidden": 1,
			"no_copy": 1,
		},
		{
			"fieldname": "funnel_source_name",
			"label": "Handed Off From",
			"fieldtype": "Dynamic Link",
			"options": "funnel_source_doctype",
			"insert_after": "funnel_source_doctype",
			"read_only": 1,
			"no_copy": 1,
			"search_index": 1,
			"description": "The card whose hand-off opened this one.",
		},
	]


# ToDos the app creates as smart tasks remember the funnel and stage they belong to.
TODO_FIELDS = [
	{
		"fieldname": "funnel",
		"label": "Funnel",
		"fieldtype": "Link",
		"options": "Funnel",
		"insert_after": "reference_name",
		"read_only": 1,
	},
	{
		"fieldname": "funnel_stage",
		"label": "Funnel Stage",
		"fieldtype": "Data",
		"insert_after": "funnel",
		"read_only": 1,
	},
]


def create_card_fields() -> None:
	from funnel_suite.funnels.card import card_doctypes

	fields = {dt: card_fields(dt) for dt in card_doctypes()}
	if "Opportunity" in fields:
		fields["Opportunity"] = fields["Opportunity"] + OPPORTUNITY_FIELDS
	if "Lead" in fields:
		fields["Lead"] = fields["Lead"] + LEAD_FIELDS
	fields["ToDo"] = TODO_FIELDS
	fields["Opportunity Lost Reason"] = LOST_REASON_FIELDS
	create_custom_fields(fields, update=True)


def create_disqualification_reasons():
	for name in DISQUALIFICATION_REASONS:
		if not frappe.db.exists("Disqualification Reason", name):
			frappe.get_doc({"doctype": "Disqualification Reason", "reason_name": name, "enabled": 1}).insert(
				ignore_permissions=True
			)


def create_lost_categories():
	for name, defers in LOST_CATEGORIES:
		if not frappe.db.exists("Lost Reason Category", name):
			frappe.get_doc(
				{"doctype": "Lost Reason Category", "category_name": name, "defers_demand": defers}
			).insert(ignore_permissions=True)


def before_install():
	create_roles()


def create_roles():
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def after_install():
	create_roles()
	create_card_fields()
	create_cadence_fields()
	create_journey_fields()
	create_lost_categories()
	create_disqualification_reasons()
	from funnel_suite.funnel_qualification.keys import backfill

	backfill()
	create_default_funnels()
	from funnel_suite.patches.v0_1.place_existing_cards import place_existing_cards

	place_existing_cards()
	from funnel_suite.funnel_analytics.summary import rebuild_if_empty

	rebuild_if_empty()  # a reinstall on a site that kept its move log
	create_procurement_setup()


def after_migrate():
	from funnel_suite.patches.v0_1.set_funnel_settings_defaults import execute as fill_settings_defaults

	fill_settings_defaults()
	create_roles()
	create_card_fields()
	create_cadence_fields()
	create_journey_fields()
	create_lost_categories()
	create_disqualification_reasons()
	from funnel_suite.funnels.board import sync_kanban_board, sync_stage_options
	from funnel_suite.funnels.card import card_doctypes

	for doctype in card_doctypes():
		sync_stage_options(doctype)
	for name in frappe.get_all("Funnel", pluck="name"):
		sync_kanban_board(frappe.get_doc("Funnel", name))  # boards follow what the app adds to them
	from funnel_suite.funnel_analytics.summary import rebuild_if_empty

	rebuild_if_empty()
	create_procurement_setup()


def create_default_funnels() -> list[str]:
	"""Create the default Lead and Opportunity funnels (preset "default") unless they exist."""
	from funnel_suite.funnels.presets import apply_preset

	return apply_preset("default")["created"]


def before_uninstall():
	"""Remove the app's fields from the host forms; every Lead and Opportunity row stays."""
	from funnel_suite.funnels.card import card_doctypes

	remove_cadence_fields()
	remove_journey_fields()
	remove_procurement_fields()

	for name in frappe.get_all("Funnel", pluck="kanban_board", filters={"kanban_board": ("is", "set")}):
		if frappe.db.exists("Kanban Board", name):
			frappe.delete_doc("Kanban Board", name, ignore_permissions=True, force=True)
	for doctype in [*card_doctypes(), "ToDo", "Opportunity Lost Reason"]:
		for name in frappe.get_all(
			"Custom Field",
			filters={"dt": doctype, "fieldname": ("in", [*CARD_FIELDNAMES, "lost_category"])},
			pluck="name",
		):
			frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.db.delete("Property Setter", {"doc_type": doctype, "field_name": ("in", CARD_FIELDNAMES)})
		frappe.clear_cache(doctype=doctype)


def before_tests():
	"""Complete ERPNext's setup wizard so test records have a company (ERPNext's own helper)."""
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()
	frappe.db.commit()  # nosemgrep: test setup runs outside any request
