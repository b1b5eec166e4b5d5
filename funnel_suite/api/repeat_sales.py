"""Repeat sales: a customer's planned contacts, running today's due ones now
(funnel_repeat_sales/)."""

from __future__ import annotations

import frappe
from frappe import _

PLANNED_CONTACT_STATUSES = ("Scheduled", "Done", "Skipped", "Cancelled", "Failed")
REPEAT_SALES_MANAGERS = {"Sales Manager", "Funnel Manager", "System Manager"}


@frappe.whitelist()
def get_planned_contacts(customer: str, status: str | None = None) -> list[dict]:
	"""A customer's planned contacts (repeat-sale rules) the user may read, latest due first."""
	if not customer or not frappe.db.exists("Customer", customer):
		frappe.throw(
			_("Customer {0} does not exist.").format(frappe.bold(customer)), frappe.DoesNotExistError
		)
	if not frappe.has_permission("Customer", "read", customer):
		frappe.throw(
			_("You are not allowed to read customer {0}.").format(frappe.bold(customer)),
			frappe.PermissionError,
		)
	filters = {"customer": customer}
	if status:
		if status not in PLANNED_CONTACT_STATUSES:
			frappe.throw(
				_("Status must be one of: {0}.").format(", ".join(_(s) for s in PLANNED_CONTACT_STATUSES)),
				title=_("Invalid Status"),
			)
		filters["status"] = status
	return frappe.get_list(
		"Planned Contact",
		filters=filters,
		fields=[
			"name",
			"rule",
			"mode",
			"status",
			"due_date",
			"cycle_no",
			"reason",
			"source_doctype",
			"source_name",
			"created_event",
			"created_todo",
			"created_opportunity",
		],
		order_by="due_date desc, creation desc",
		limit_page_length=200,
	)


@frappe.whitelist(methods=["POST"])
def run_repeat_sales_now() -> dict:
	"""Sales / Funnel Managers: work today's due planned contacts now, on the long queue."""
	if not REPEAT_SALES_MANAGERS & set(frappe.get_roles()):
		frappe.throw(
			_("Only a Sales Manager or a Funnel Manager can run the repeat-sales job."),
			frappe.PermissionError,
		)
	frappe.enqueue(
		"funnel_suite.funnel_repeat_sales.planner.run_daily",
		queue="long",
		job_id="funnel_repeat_sales:run_now",
		deduplicate=True,
		now=bool(frappe.flags.in_test),
	)
	return {"queued": True}
