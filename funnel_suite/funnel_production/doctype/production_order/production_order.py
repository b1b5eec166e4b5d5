# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from __future__ import annotations

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import flt, now_datetime

from funnel_suite.engine.production import WORK_DONE, WORK_STATUSES, unknown_work_stages
from funnel_suite.funnel_production import rows
from funnel_suite.funnel_production.permissions import SOURCE_DOCTYPES
from funnel_suite.funnels.audit import bold
from funnel_suite.funnels.owned import app_is_writing

# row fields only the app writes (issued from Stock Entries, the executor's task)
APP_ROW_FIELDS = {"materials": ("issued_qty", "stock_entry"), "works": ("todo",)}


class ProductionOrder(Document):
	def validate(self):
		self.title = (self.title or "").strip()
		if not self.manager:
			self.manager = frappe.session.user
		self.keep_app_row_fields()
		self.validate_source()
		self.validate_materials()
		self.validate_works()

	def on_update(self):
		from funnel_suite.funnel_production.permissions import sync_executor_shares
		from funnel_suite.funnel_production.works import close_task

		sync_executor_shares(self)
		# a work marked Done on the form closes its executor's task
		before = self.get_doc_before_save()
		was_done = {r.name for r in before.works if r.status == WORK_DONE} if before else set()
		for row in self.works:
			if row.status == WORK_DONE and row.todo and row.name not in was_done:
				close_task(row)

	def keep_app_row_fields(self):
		"""A user's value for issued quantities, stock entry and task links is put back."""
		if app_is_writing():
			return
		before = self.get_doc_before_save()
		for table, fields in APP_ROW_FIELDS.items():
			stored = {r.name: r for r in before.get(table)} if before else {}
			for row in self.get(table):
				old = stored.get(row.name)
				for field in fields:
					row.set(field, old.get(field) if old else (0 if field == "issued_qty" else None))

	def validate_source(self):
		if bool(self.source_doctype) != bool(self.source_name):
			frappe.throw(
				_(
					"Fill in both Source Document Type and Source, or neither. Allowed document types: {0}."
				).format(", ".join(_(d) for d in SOURCE_DOCTYPES)),
				title=_("Source"),
			)
		if not self.source_name:
			return
		before = self.get_doc_before_save()
		changed = not before or (before.source_doctype, before.source_name) != (
			self.source_doctype,
			self.source_name,
		)
		# linking an order to a deal shows it to that deal's salespeople: only someone who may read
		# the deal links to it
		if changed and not frappe.has_permission(self.source_doctype, "read", self.source_name):
			frappe.throw(
				_("You may not read {0} {1}, so this order cannot be made for it.").format(
					_(self.source_doctype), bold(self.source_name)
				),
				exc=frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def validate_materials(self):
		before = self.get_doc_before_save()
		checked = {(r.name, r.warehouse) for r in before.materials} if before else set()
		for row in self.materials:
			if flt(row.qty) <= 0:
				frappe.throw(
					_("Materials, row {0}: Quantity of item {1} must be greater than 0.").format(
						row.idx, bold(row.item_code)
					),
					title=_("Invalid Quantity"),
				)
			if row.warehouse and (
				(row.name, row.warehouse) not in checked or self.has_value_changed("company")
			):
				company = frappe.db.get_value("Warehouse", row.warehouse, "company")
				if company != self.company:
					frappe.throw(
						_(
							"Materials, row {0}: Warehouse {1} belongs to {2}, not to the order's company {3}."
						).format(row.idx, bold(row.warehouse), bold(company or "-"), bold(self.company)),
						title=_("Invalid Warehouse"),
					)

	def validate_works(self):
		for row in self.works:
			row.stage = (row.stage or "").strip()
			if row.status not in WORK_STATUSES:
				frappe.throw(
					_("Works, row {0}: Status must be one of {1}.").format(
						row.idx, ", ".join(_(s) for s in WORK_STATUSES)
					),
					title=_("Invalid Status"),
				)
			if flt(row.planned_hours) < 0 or flt(row.actual_hours) < 0:
				frappe.throw(
					_("Works, row {0}: Planned Hours and Actual Hours must be 0 or more.").format(row.idx),
					title=_("Invalid Hours"),
				)
			if row.employee and not row.executor:
				row.executor = frappe.db.get_value("Employee", row.employee, "user_id")
				if not row.executor:
					frappe.throw(
						_(
							"Works, row {0}: Employee {1} has no user, so they cannot get the task. Choose the Executor."
						).format(row.idx, bold(row.employee)),
						title=_("Missing Executor"),
					)
			if row.status == WORK_DONE:
				row.completed_on = row.completed_on or now_datetime()
			else:
				row.completed_on = None
		from funnel_suite.funnels.definitions import default_funnel, load_funnel

		name = self.funnel or default_funnel(self.doctype)  # a new order enters the default funnel
		if not name or not frappe.db.exists("Funnel", name):
			return
		funnel = load_funnel(name)
		unknown = unknown_work_stages(funnel, rows.works(self))
		if unknown:
			frappe.throw(
				_("Works: {0} is not a stage of funnel {1}. Allowed stages: {2}.").format(
					bold(unknown[0].stage),
					bold(name),
					", ".join(bold(_(s)) for s in funnel.stage_names),
				),
				title=_("Unknown Stage"),
			)
