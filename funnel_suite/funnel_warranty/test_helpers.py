"""Fixtures of the warranty tests: a support agent and others, a serialized item, serial numbers
under and past warranty, claims on the site's default company."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from funnel_suite.tests.utils import make_user, unique

SUPPORT = "fs-warranty-support@example.com"  # Maintenance User: answers and works claims
SUPPORT_MANAGER = "fs-warranty-manager@example.com"  # Maintenance Manager
SALES = "fs-warranty-sales@example.com"  # Sales User: no business with claims
FUNNEL_MANAGER = "fs-warranty-funnels@example.com"  # edits routes

ROUTE = "Warranty claim route"


def company() -> str:
	return frappe.defaults.get_defaults().get("company") or frappe.db.get_value("Company", {})


def make_people() -> None:
	make_user(SUPPORT, "Maintenance User")
	make_user(SUPPORT_MANAGER, "Maintenance Manager", "Maintenance User")
	make_user(SALES, "Sales User")
	make_user(FUNNEL_MANAGER, "Funnel Manager")


def make_customer() -> str:
	group = frappe.db.get_value("Customer Group", {"is_group": 0}) or "All Customer Groups"
	territory = frappe.db.get_value("Territory", {"is_group": 0}) or "All Territories"
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": unique("Warranty Customer"),
				"customer_group": group,
				"territory": territory,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_item() -> str:
	code = unique("WR-ITEM").replace(" ", "-")
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": frappe.db.get_value("Item Group", {"is_group": 0}) or "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"has_serial_no": 1,
		}
	).insert(ignore_permissions=True)
	return code


def make_serial(item: str, warranty_days: int) -> str:
	"""A serial whose warranty ends `warranty_days` from today (negative: already over)."""
	name = unique("WR-SN").replace(" ", "-")
	frappe.get_doc(
		{
			"doctype": "Serial No",
			"serial_no": name,
			"item_code": item,
			"company": company(),
			"warranty_expiry_date": add_days(nowdate(), warranty_days),
		}
	).insert(ignore_permissions=True)
	return name


def make_claim(customer: str, serial: str | None = None, item: str | None = None, **values):
	return frappe.get_doc(
		{
			"doctype": "Warranty Claim",
			"company": company(),
			"customer": customer,
			"complaint_date": nowdate(),
			"complaint": "It stopped working.",
			"serial_no": serial,
			"item_code": item,
			**values,
		}
	).insert()
