# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from __future__ import annotations

import frappe
from erpnext.stock.get_item_details import get_conversion_factor
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt

from funnel_suite.funnel_procurement.permissions import SERVES_DOCTYPES


class ProcurementCase(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		from funnel_suite.funnel_procurement.doctype.procurement_case_item.procurement_case_item import (
			ProcurementCaseItem,
		)

		billed_percent: DF.Percent
		buyer: DF.Link | None
		company: DF.Link
		contract: DF.Link | None
		items: DF.Table[ProcurementCaseItem]
		ordered_percent: DF.Percent
		paid_percent: DF.Percent
		received_percent: DF.Percent
		required_by: DF.Date | None
		serves: DF.DynamicLink | None
		serves_doctype: DF.Literal["", "Opportunity", "Sales Order", "Project"]
		supplier: DF.Link | None
		supplier_name: DF.Data | None
		title: DF.Data
	# end: auto-generated types

	def load_doc_before_save(self, *, raise_exception: bool = False):
		"""An automatic move (funnel_procurement/moves.py) hands over the copy of the case it read
		under this transaction's row lock: the same row, not read a second time."""
		before = self.flags.pop("procurement_before", None)
		if before is not None and before.name == self.name:
			self._doc_before_save = before
			return
		super().load_doc_before_save(raise_exception=raise_exception)

	def update_children(self):
		"""An automatic move changes the stage and the figures only; the item rows are the ones it
		read under the case's lock in this transaction, so they are not written again."""
		if self.flags.pop("procurement_items_unchanged", False):
			return
		super().update_children()

	def validate(self):
		self.title = (self.title or "").strip()
		if not self.buyer:
			self.buyer = frappe.session.user
		self.validate_serves()
		self.validate_items()

	def validate_serves(self):
		if bool(self.serves_doctype) != bool(self.serves):
			frappe.throw(
				_(
					"Fill in both Serves Document Type and Serves, or neither. Allowed document types: {0}."
				).format(", ".join(_(d) for d in SERVES_DOCTYPES)),
				title=_("Serves"),
			)
		if not self.serves:
			return
		before = self.get_doc_before_save()
		changed = not before or (before.serves_doctype, before.serves) != (self.serves_doctype, self.serves)
		# linking a case to a deal shows the case to that deal's salespeople: only someone who may
		# read the deal links to it
		if changed and not frappe.has_permission(self.serves_doctype, "read", self.serves):
			frappe.throw(
				_("You may not read {0} {1}, so this case cannot serve it.").format(
					_(self.serves_doctype), frappe.bold(self.serves)
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def validate_items(self):
		before = self.get_doc_before_save()
		checked = {(r.name, r.warehouse) for r in before.items} if before else set()
		# the factor stored for an unchanged item and UOM (not one sent with the save)
		stored = {(r.name, r.item_code, r.uom): r.conversion_factor for r in before.items} if before else {}
		for row in self.items:
			self.set_stock_qty(row, flt(stored.get((row.name, row.item_code, row.uom))))
			if flt(row.qty) <= 0:
				frappe.throw(
					_("Row {0}: Quantity of item {1} must be greater than 0.").format(
						row.idx, frappe.bold(row.item_code)
					),
					title=_("Invalid Quantity"),
				)
			if not row.schedule_date and self.required_by:
				row.schedule_date = self.required_by
			if row.warehouse and (
				(row.name, row.warehouse) not in checked or self.has_value_changed("company")
			):
				company = frappe.db.get_value("Warehouse", row.warehouse, "company")
				if company != self.company:
					frappe.throw(
						_("Row {0}: Warehouse {1} belongs to {2}, not to the case's company {3}.").format(
							row.idx, frappe.bold(row.warehouse), company, frappe.bold(self.company)
						),
						title=_("Invalid Warehouse"),
					)

	@staticmethod
	def set_stock_qty(row, stored_factor: float) -> None:
		"""The row's quantity in the item's stock UOM (what the progress figures compare with the
		buying documents' stock quantities), by the item's UOM conversion as ERPNext reads it."""
		if not row.item_code:
			return
		row.stock_uom = frappe.get_cached_value("Item", row.item_code, "stock_uom")
		row.uom = row.uom or row.stock_uom
		if stored_factor > 0:
			row.conversion_factor = stored_factor
		elif row.uom == row.stock_uom:
			row.conversion_factor = 1.0
		else:
			row.conversion_factor = flt(get_conversion_factor(row.item_code, row.uom)["conversion_factor"])
		row.stock_qty = flt(row.qty) * flt(row.conversion_factor)
