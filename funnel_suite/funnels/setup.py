"""Install wiring of the Funnels module: the app's Funnel Manager role, the funnel fields on every
card form and on ToDo, the default funnels, the Kanban boards; removed again on uninstall."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_host_fields
from funnel_suite.funnels.definitions import card_doctypes

# The app's roles grant nothing on ERPNext's own doctypes: a permission rule added there makes
# the host copy every standard rule of that doctype into Custom DocPerm, after which ERPNext's own
# updates of its rules no longer reach the site. So a reviewer reads the deals it reviews through a
# sales role (Sales User / Sales Manager), and the integration user of the intake has Funnel
# Intake plus Sales User (the Leads, Contacts, Customers and Opportunities it works with).
ROLES = ("Funnel Manager",)
# The fields every card form gets (card_fields); other modules add theirs to Lead and Opportunity.
CARD_FIELDNAMES = (
	"funnel",
	"funnel_stage",
	"funnel_stage_since",
	"funnel_stale",
	"funnel_source_doctype",
	"funnel_source_name",
)
TODO_FIELDNAMES = ("funnel", "funnel_stage")

# Where the funnel fields sit on each host form.
_ANCHOR = {"Lead": "status", "Opportunity": "sales_stage", "Refusal Review": "status"}
_ANCHOR["Procurement Case"] = "contract"
_ANCHOR["Production Order"] = "qty"


def card_fields(doctype: str) -> list[dict]:
	anchor = _ANCHOR.get(doctype) or _status_anchor(doctype)
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


def _status_anchor(doctype: str) -> str | None:
	"""Other card doctypes (added in Funnel Settings): after their status field, if they have one."""
	return "status" if frappe.get_meta(doctype).has_field("status") else None


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

# Frappe translates custom field labels when it renders a form; listing them with _lt() puts
# them in locale/main.pot (the dicts above keep the English text that is stored).
_LABELS = (
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


def ensure_roles(roles) -> None:
	"""Create these desk roles unless they exist (each module names its own)."""
	for role in roles:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def create_roles() -> None:
	ensure_roles(ROLES)


def create_card_fields() -> None:
	"""The funnel fields on every card doctype, and the smart tasks' funnel and stage on ToDo."""
	fields = {dt: card_fields(dt) for dt in card_doctypes()}
	fields["ToDo"] = TODO_FIELDS
	create_custom_fields(fields, update=True)


def create_default_funnels() -> list[str]:
	"""Create the default Lead and Opportunity funnels (preset "default") unless they exist."""
	from funnel_suite.funnels.presets import apply_preset

	return apply_preset("default")["created"]


def sync_boards() -> None:
	"""after_migrate: the Select options and Kanban boards follow what the app adds to them."""
	from funnel_suite.funnels.board import sync_kanban_board, sync_stage_options

	for doctype in card_doctypes():
		sync_stage_options(doctype)
	for name in frappe.get_all("Funnel", pluck="name"):
		sync_kanban_board(frappe.get_doc("Funnel", name))


def remove_card_fields() -> None:
	"""before_uninstall: the funnels' Kanban boards and the funnel fields go; the cards stay."""
	for name in frappe.get_all("Funnel", pluck="kanban_board", filters={"kanban_board": ("is", "set")}):
		if frappe.db.exists("Kanban Board", name):
			frappe.delete_doc("Kanban Board", name, ignore_permissions=True, force=True)
	remove_host_fields(card_doctypes(), CARD_FIELDNAMES)
	remove_host_fields(["ToDo"], TODO_FIELDNAMES)
