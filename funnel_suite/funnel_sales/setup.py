"""Install wiring of Funnel Sales: the Funnel Reviewer role, deferred demand's fields on the
Opportunity, the Lost Reason Category of each Opportunity Lost Reason and the default categories;
the fields are removed again on uninstall (the categories stay: users may have used them)."""

from __future__ import annotations

import frappe
from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_host_fields
from funnel_suite.funnels.setup import ensure_roles

# Reviews lost deals (reads them through a sales role, see funnels/setup.py).
ROLES = ("Funnel Reviewer",)
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
OPPORTUNITY_FIELDNAMES = tuple(f["fieldname"] for f in OPPORTUNITY_FIELDS)

# Frappe translates custom field labels when it renders a form; listing them with _lt() puts
# them in locale/main.pot (the dicts above keep the English text that is stored).
_LABELS = (
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
)


def create_roles() -> None:
	ensure_roles(ROLES)


def create_sales_fields() -> None:
	create_custom_fields(
		{"Opportunity": OPPORTUNITY_FIELDS, "Opportunity Lost Reason": LOST_REASON_FIELDS}, update=True
	)


def create_lost_categories():
	for name, defers in LOST_CATEGORIES:
		if not frappe.db.exists("Lost Reason Category", name):
			frappe.get_doc(
				{"doctype": "Lost Reason Category", "category_name": name, "defers_demand": defers}
			).insert(ignore_permissions=True)


def remove_sales_fields() -> None:
	"""before_uninstall: the fields go; every Opportunity and Lost Reason stays."""
	remove_host_fields(["Opportunity"], OPPORTUNITY_FIELDNAMES)
	remove_host_fields(["Opportunity Lost Reason"], ["lost_category"], property_setters=False)
