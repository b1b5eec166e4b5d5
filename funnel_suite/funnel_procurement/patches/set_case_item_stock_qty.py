"""Procurement Case Item got its stock UOM, conversion factor and stock quantity (what the progress
figures compare in stock UOM): fill them on the rows saved before (safe to run twice)."""

import frappe
from erpnext.stock.get_item_details import get_conversion_factor
from frappe.utils import flt


def execute():
	rows = frappe.get_all(
		"Procurement Case Item",
		filters={"parenttype": "Procurement Case", "stock_qty": 0},
		fields=["name", "item_code", "uom", "qty"],
	)
	stock_uoms = dict(
		frappe.get_all(
			"Item",
			filters={"name": ("in", list({r.item_code for r in rows}) or [""])},
			fields=["name", "stock_uom"],
			as_list=True,
		)
	)
	for row in rows:
		stock_uom = stock_uoms.get(row.item_code)
		if not stock_uom:
			continue
		uom = row.uom or stock_uom
		factor = (
			1.0 if uom == stock_uom else flt(get_conversion_factor(row.item_code, uom)["conversion_factor"])
		)
		# numbers the app computes from the row's item and quantity, and the item's own stock UOM
		# (nothing a user typed is written: an empty row UOM becomes the stock UOM)
		values = {"stock_uom": stock_uom, "conversion_factor": factor, "stock_qty": flt(row.qty) * factor}
		if not row.uom:
			values["uom"] = stock_uom
		frappe.db.set_value("Procurement Case Item", row.name, values, update_modified=False)
