"""Custom fields of the analytics: the journey tab on the Customer form."""

from __future__ import annotations

from frappe import _lt
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

from funnel_suite.funnels.custom_fields import remove_custom_fields

JOURNEY_FIELDS = {
	"Customer": [
		{
			"fieldname": "funnel_journey_tab",
			"label": "Funnels",
			"fieldtype": "Tab Break",
			"insert_after": "customer_details",
		},
		{
			"fieldname": "funnel_journey",
			"label": "Customer Journey",
			"fieldtype": "HTML",
			"insert_after": "funnel_journey_tab",
		},
	]
}

_LABELS = (_lt("Funnels"), _lt("Customer Journey"))


def create_journey_fields() -> None:
	create_custom_fields(JOURNEY_FIELDS, update=True)


def remove_journey_fields() -> None:
	"""before_uninstall: drop the tab; the customers' data stays."""
	remove_custom_fields(JOURNEY_FIELDS)


def rebuild_summary() -> None:
	"""after_install / after_migrate: the summary tables from the move log when they are empty."""
	from funnel_suite.funnel_analytics import forecast_totals, velocity_buckets
	from funnel_suite.funnel_analytics.summary import rebuild_if_empty

	rebuild_if_empty()
	velocity_buckets.rebuild_if_empty()
	forecast_totals.rebuild_if_missing()
