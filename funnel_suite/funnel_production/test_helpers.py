"""Fixtures of the production tests: workshop people, a stock item with stock, orders on the
site's default company."""

from __future__ import annotations

import frappe
from frappe.utils import add_days, nowdate

from funnel_suite.funnel_procurement.test_helpers import company, make_item, warehouse
from funnel_suite.tests.utils import make_user, unique

FOREMAN = "fs-prod-foreman@example.com"  # Manufacturing User
MANAGER = "fs-prod-manager@example.com"  # Manufacturing Manager
STOREKEEPER = "fs-prod-stock@example.com"  # Stock User
EXECUTOR = "fs-prod-executor@example.com"  # a desk user with no role on orders: a work's executor
OUTSIDER = "fs-prod-outsider@example.com"  # no work, no role on orders
SALES_USER = "fs-prod-sales@example.com"


def make_people() -> None:
	make_user(FOREMAN, "Manufacturing User")
	make_user(MANAGER, "Manufacturing Manager", "Manufacturing User")
	make_user(STOREKEEPER, "Stock User")
	make_user(EXECUTOR)  # no role of the workshop: reads the orders shared with them as executor
	make_user(OUTSIDER)
	make_user(SALES_USER, "Sales User")


def production_funnel() -> str:
	return frappe.db.get_value("Funnel", {"document_type": "Production Order", "is_default": 1}, "name")


def receive(item: str, qty: float, to_warehouse: str | None = None) -> None:
	"""Put stock in (as Administrator): a submitted Material Receipt."""
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		entry = frappe.new_doc("Stock Entry")
		entry.purpose = entry.stock_entry_type = "Material Receipt"
		entry.company = company()
		entry.append(
			"items",
			{"item_code": item, "qty": qty, "t_warehouse": to_warehouse or warehouse(), "basic_rate": 10},
		)
		entry.insert(ignore_permissions=True)
		entry.submit()
	finally:
		frappe.set_user(user)


def make_order(materials=(), works=(), **values):
	doc = frappe.get_doc(
		{
			"doctype": "Production Order",
			"title": values.pop("title", unique("Kitchen cabinet")),
			"company": values.pop("company", None) or company(),
			"due_date": values.pop("due_date", add_days(nowdate(), 10)),
			"materials": [
				{"item_code": code, "qty": qty, "warehouse": warehouse()} for code, qty in materials
			],
			"works": [
				{"description": d, "stage": stage, "executor": executor, "planned_hours": 2}
				for d, stage, executor in works
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


PLANNER = "fs-prod-planner@example.com"  # Manufacturing User who also reads deals (Sales User)


def make_planner() -> None:
	make_user(PLANNER, "Manufacturing User", "Sales User")


def make_customer() -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": unique("Prod Customer"),
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}),
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def make_sales_order(customer: str, item: str, qty: float = 2, submit: bool = True) -> str:
	"""A Sales Order of the default company (as Administrator)."""
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		so = frappe.get_doc(
			{
				"doctype": "Sales Order",
				"company": company(),
				"customer": customer,
				"transaction_date": nowdate(),
				"delivery_date": add_days(nowdate(), 20),
				"items": [
					{
						"item_code": item,
						"qty": qty,
						"rate": 100,
						"warehouse": warehouse(),
						"delivery_date": add_days(nowdate(), 20),
					}
				],
			}
		).insert(ignore_permissions=True)
		if submit:
			so.submit()
		return so.name
	finally:
		frappe.set_user(user)


# --- Work Orders (test_work_orders.py, the permission matrix) -----------------------------------


def manufacturing_defaults(capacity_planning_off: bool = True) -> None:
	"""Work-in-progress and finished goods warehouses of the default company and (for the tests,
	rolled back) no capacity planning: Job Cards need no free time slot. As Administrator.

	The browser personas' setup commits, so it keeps capacity planning as it is: ERPNext's own Work
	Order tests (the peer suite, on the same site afterwards) expect Job Cards with time logs."""
	mfg = frappe.get_doc("Manufacturing Settings")
	mfg.default_wip_warehouse = warehouse()
	mfg.default_fg_warehouse = warehouse()
	if capacity_planning_off:
		mfg.disable_capacity_planning = 1
	mfg.save(ignore_permissions=True)


def make_operations(names=("FS Cutting", "FS Assembly")) -> list[str]:
	"""Operations on one new workstation. As Administrator."""
	station = frappe.get_doc(
		{"doctype": "Workstation", "workstation_name": unique("FS Bench"), "hour_rate_labour": 20}
	).insert(ignore_permissions=True)
	return [
		frappe.get_doc({"doctype": "Operation", "name": unique(name), "workstation": station.name})
		.insert(ignore_permissions=True)
		.name
		for name in names
	]


def make_bom(item: str, material: str, operations=(), minutes=(30, 60)) -> str:
	"""A submitted default BOM: 2 of `material` per `item`, the operations in order. As Administrator."""
	workstation = frappe.db.get_value("Operation", operations[0], "workstation") if operations else None
	bom = frappe.get_doc(
		{
			"doctype": "BOM",
			"item": item,
			"quantity": 1,
			"company": company(),
			"currency": frappe.get_cached_value("Company", company(), "default_currency"),
			"rm_cost_as_per": "Valuation Rate",
			"is_active": 1,
			"is_default": 1,
			"with_operations": 1 if operations else 0,
			"items": [{"item_code": material, "qty": 2, "rate": 10, "source_warehouse": warehouse()}],
			"operations": [
				{"operation": op, "workstation": workstation, "time_in_mins": mins}
				for op, mins in zip(operations, minutes, strict=False)
			],
		}
	).insert(ignore_permissions=True)
	bom.submit()
	return bom.name


def make_bom_order() -> str:
	"""A production order of 1 item that has a default BOM (as Administrator)."""
	user = frappe.session.user
	frappe.set_user("Administrator")
	try:
		manufacturing_defaults()
		item = make_item()
		make_bom(item, make_item(), make_operations(("FS Matrix op",)), minutes=(15,))
		return make_order(item_code=item, qty=1).name
	finally:
		frappe.set_user(user)
