"""Fixtures of the procurement tests: people, a supplier, a stock item and cases on the site's
default company (ERPNext's own test records are not needed)."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from funnel_suite.tests.utils import make_user, unique

BUYER = "fs-proc-buyer@example.com"  # Purchase User
BUYER_SALES = "fs-proc-buyer-sales@example.com"  # Purchase User who also reads deals (Sales User)
PURCHASE_MANAGER = "fs-proc-manager@example.com"
SALES_USER = "fs-proc-sales@example.com"  # reads the test company's deals only
SALES_OTHER = "fs-proc-sales-other@example.com"  # reads the other company's deals only
FUNNEL_MANAGER = "fs-proc-funnel-manager@example.com"
STOCK_USER = "fs-proc-stock@example.com"


def company() -> str:
	return frappe.defaults.get_defaults().get("company") or frappe.db.get_value("Company", {})


def warehouse(for_company: str | None = None) -> str:
	for_company = for_company or company()
	return frappe.db.get_value(
		"Warehouse", {"company": for_company, "is_group": 0, "warehouse_name": "Stores"}
	) or (frappe.db.get_value("Warehouse", {"company": for_company, "is_group": 0}))


def make_people() -> None:
	make_user(BUYER, "Purchase User")
	make_user(BUYER_SALES, "Purchase User", "Sales User")
	make_user(PURCHASE_MANAGER, "Purchase Manager", "Purchase User")
	make_user(SALES_USER, "Sales User")
	make_user(SALES_OTHER, "Sales User")
	make_user(FUNNEL_MANAGER, "Funnel Manager")
	make_user(STOCK_USER, "Stock User")


def limit_to_company(user: str, value: str) -> None:
	if not frappe.db.exists("User Permission", {"user": user, "allow": "Company", "for_value": value}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Company", "for_value": value}
		).insert(ignore_permissions=True)


def make_supplier(**values) -> str:
	group = frappe.db.get_value("Supplier Group", {"is_group": 0}) or "All Supplier Groups"
	return (
		frappe.get_doc(
			{
				"doctype": "Supplier",
				"supplier_name": unique("Proc Supplier"),
				"supplier_group": group,
				"tax_id": values.pop("tax_id", "7700000001"),
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_item(conversions: dict[str, float] | None = None) -> str:
	"""A stock item in Nos; `conversions`: other UOMs and how many Nos one of them holds."""
	code = unique("PROC-ITEM").replace(" ", "-")
	frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": code,
			"item_group": frappe.db.get_value("Item Group", {"is_group": 0}) or "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"uoms": [{"uom": uom, "conversion_factor": f} for uom, f in (conversions or {}).items()],
		}
	).insert(ignore_permissions=True)
	return code


def make_case(supplier: str | None = None, items: list[tuple] | None = None, **values):
	"""items: (item_code, qty) or (item_code, qty, uom)."""
	doc = frappe.get_doc(
		{
			"doctype": "Procurement Case",
			"title": values.pop("title", unique("Bearings for turbine")),
			"company": values.pop("company", None) or company(),
			"supplier": supplier,
			"required_by": add_days(nowdate(), 10),
			"items": [
				{
					"item_code": item[0],
					"qty": item[1],
					"uom": item[2] if len(item) > 2 else None,
					"warehouse": warehouse(),
					"expected_rate": 100,
				}
				for item in (items or [])
			],
			**values,
		}
	)
	return doc.insert()


def make_item_as_admin() -> str:
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		return make_item()
	finally:
		frappe.set_user(user)


def make_supplier_as_admin() -> str:
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		return make_supplier()
	finally:
		frappe.set_user(user)


ACCOUNTS_USER = "fs-proc-accounts@example.com"
# books invoices and reads the orders they are made from (a small firm's purchase accountant)
PURCHASE_ACCOUNTANT = "fs-proc-purchase-accountant@example.com"


def make_buying_people() -> None:
	make_people()
	make_user(ACCOUNTS_USER, "Accounts User")
	make_user(PURCHASE_ACCOUNTANT, "Accounts User", "Purchase User")
