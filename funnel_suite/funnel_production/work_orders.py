"""ERPNext Work Orders and Job Cards of a production order.

- "Create Work Order" (`create_work_order`, a button on the order when its item has a default
  active BOM): a draft Work Order through ERPNext's own controller — the order's item, quantity,
  company, default BOM (its materials and operations), the Sales Order it was made for, planned
  start now, expected delivery on the due date — linked to the order by `production_order` (a field
  only the app writes). Its Job Cards carry the same link (copied from the Work Order).
- A Job Card submitted or cancelled (`on_job_card_change`): the order's works whose operation is
  the card's follow the order's Job Cards of that operation (engine `operation_progress`): Done
  with the logged hours once every card of the operation is submitted, reopened when a cancel
  leaves none. Completion goes through `works.complete`, the path of `complete_production_work`
  (the same save, stage check later, the executor's ToDo closed).
- The Work Order completed (its status set by ERPNext after a Manufacture entry,
  `on_work_order_status`): the order moves forward to the ready stage (Production Settings, else
  the last Open stage before Won) through the card's normal save — stage by stage in a strict
  funnel, each move validated and logged with the submitter as `moved_by`. A move the funnel
  refuses, or a stage that would issue the order's materials, stops the walk without failing the
  submit: the foreman (the order's manager) is notified and the timeline says what blocks it.
- A Manufacture entry cancelled moves nothing back (the foreman decides, a move back needs a
  comment in a strict funnel): the timeline says the Work Order is no longer completed.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import flt, getdate, now_datetime, nowdate

from funnel_suite.engine.production import (
	WORK_DONE,
	WORK_IN_PROGRESS,
	WORK_PENDING,
	JobCardTime,
	operation_progress,
	ready_stage,
	stages_towards,
	to_issue,
)
from funnel_suite.funnel_production import rows, stock, works
from funnel_suite.funnel_production.rows import ORDER
from funnel_suite.funnels.audit import bold
from funnel_suite.funnels.owned import app_writes

ORDER_FIELD = "production_order"
# a Work Order still running for the order: a second one is refused
CLOSED_STATUSES = ("Completed", "Closed")


# --- Create Work Order ------------------------------------------------------------------------


def default_bom(item_code: str | None) -> str | None:
	if not item_code:
		return None
	return frappe.db.get_value(
		"BOM", {"item": item_code, "is_active": 1, "is_default": 1, "docstatus": 1}, "name"
	)


def open_work_order(order: str) -> str | None:
	return frappe.db.get_value(
		"Work Order",
		{ORDER_FIELD: order, "docstatus": ("<", 2), "status": ("not in", CLOSED_STATUSES)},
		"name",
	)


def _refuse(message: str, title: str) -> None:
	frappe.throw(message, title=title)


def _sales_order(doc, item_code: str) -> tuple[str | None, str | None]:
	"""The order's Sales Order when it sells the item (ERPNext refuses one that does not), and the
	warehouse its line delivers from."""
	if doc.source_doctype != "Sales Order" or not doc.source_name:
		return None, None
	line = frappe.db.get_value(
		"Sales Order Item",
		{"parent": doc.source_name, "parenttype": "Sales Order", "item_code": item_code},
		"warehouse",
		order_by="idx asc",
	)
	return (doc.source_name, line) if line is not None else (None, None)


def _is_closed(doc) -> bool:
	from funnel_suite.funnels.definitions import load_funnel

	if not doc.get("funnel") or not doc.get("funnel_stage"):
		return False
	stage = load_funnel(doc.funnel).stage(doc.funnel_stage)
	return bool(stage and stage.is_final)


@frappe.whitelist(methods=["POST"])
def create_work_order(order: str) -> str:
	"""A draft Work Order for the order's item and quantity with the item's default BOM; the
	caller must be able to change the order and create Work Orders."""
	doc = frappe.get_doc(ORDER, order)
	doc.check_permission("write")
	frappe.has_permission("Work Order", "create", throw=True)
	if _is_closed(doc):
		_refuse(
			_(
				"Production order {0} is in stage {1}, which closes it: a Work Order is made for an open order."
			).format(bold(doc.name), bold(_(doc.funnel_stage))),
			_("Order Closed"),
		)
	if not doc.item_code:
		_refuse(
			_(
				"Production order {0} has no Item: choose the item to make before creating a Work Order."
			).format(bold(doc.name)),
			_("Missing Item"),
		)
	if flt(doc.qty) <= 0:
		_refuse(
			_("Quantity of production order {0} must be greater than 0 to create a Work Order.").format(
				bold(doc.name)
			),
			_("Invalid Quantity"),
		)
	bom = default_bom(doc.item_code)
	if not bom:
		_refuse(
			_(
				"Item {0} has no default active BOM: submit a BOM for it and mark it Is Default before creating a Work Order."
			).format(bold(doc.item_code)),
			_("Missing BOM"),
		)
	running = open_work_order(doc.name)
	if running:
		_refuse(
			_(
				"Production order {0} already has Work Order {1} that is not completed: finish, close or cancel it first."
			).format(bold(doc.name), bold(running)),
			_("Work Order Exists"),
		)
	sales_order, so_warehouse = _sales_order(doc, doc.item_code)
	fg_warehouse = so_warehouse or frappe.db.get_single_value(
		"Manufacturing Settings", "default_fg_warehouse"
	)
	wip_warehouse = frappe.db.get_single_value(
		"Manufacturing Settings", "default_wip_warehouse"
	) or stock.settings().get("wip_warehouse")
	if not fg_warehouse or not wip_warehouse:
		_refuse(
			_(
				"Set Default Work In Progress Warehouse and Default Finished Goods Warehouse in Manufacturing Settings: the Work Order needs both."
			),
			_("Missing Warehouse"),
		)

	wo = frappe.new_doc("Work Order")
	wo.company = doc.company
	wo.production_item = doc.item_code
	wo.bom_no = bom
	wo.qty = flt(doc.qty)
	wo.sales_order = sales_order
	wo.fg_warehouse = fg_warehouse
	wo.wip_warehouse = wip_warehouse
	wo.planned_start_date = now_datetime()
	if doc.due_date and getdate(doc.due_date) >= getdate(nowdate()):
		wo.expected_delivery_date = doc.due_date
	if doc.get("project"):
		wo.project = doc.project
	wo.get_items_and_operations_from_bom()
	wo.set(ORDER_FIELD, doc.name)
	with app_writes():  # the link is the app's (owned): set here, for an order the caller may change
		wo.insert()  # ERPNext's controller and the caller's create permission, as on the desk
	doc.add_comment(
		"Info",
		_("Work Order {0} created for {1} × {2}.").format(
			bold(wo.name), flt(wo.qty), bold(wo.production_item)
		),
	)
	return wo.name


# --- links on Job Cards -------------------------------------------------------------------------


def copy_order_link(doc, method=None) -> None:
	"""Job Card validate: the card belongs to its Work Order's production order (never typed)."""
	value = frappe.db.get_value("Work Order", doc.work_order, ORDER_FIELD) if doc.get("work_order") else None
	if doc.get(ORDER_FIELD) != value:
		doc.set(ORDER_FIELD, value)


# --- Job Cards complete the works ----------------------------------------------------------------


def job_card_times(order: str, operation: str) -> list[JobCardTime]:
	"""The order's Job Cards of one operation with their logged minutes, in one query."""
	card = frappe.qb.DocType("Job Card")
	log = frappe.qb.DocType("Job Card Time Log")
	found = (
		frappe.qb.from_(card)
		.left_join(log)
		.on((log.parent == card.name) & (log.parenttype == "Job Card"))
		.select(card.name, card.docstatus, Coalesce(Sum(log.time_in_mins), 0))
		.where((card[ORDER_FIELD] == order) & (card.operation == operation))
		.groupby(card.name, card.docstatus)
		.run()
	)
	return [JobCardTime(operation, int(docstatus), flt(minutes)) for _name, docstatus, minutes in found]


def on_job_card_change(doc, method=None) -> None:
	"""Job Card on_submit / on_cancel: the order's works of the card's operation follow."""
	order = doc.get(ORDER_FIELD)
	if not order or not doc.get("operation") or not frappe.db.exists(ORDER, order):
		return
	sync_operation_works(order, doc.operation, doc)


def sync_operation_works(order: str, operation: str, card) -> None:
	progress = operation_progress(job_card_times(order, operation), operation)
	doc = frappe.get_doc(ORDER, order, for_update=True)
	matching = [r for r in doc.works if r.operation == operation]
	if not matching:
		return
	hours = round(progress.hours / len(matching), 6)  # several works of one operation share its time
	done, reopened = [], []
	for row in matching:
		if progress.done:
			if row.status != WORK_DONE or flt(row.actual_hours) != hours:
				done.append((row, hours))
		elif row.status == WORK_DONE or (progress.started and row.status == WORK_PENDING):
			row.status = WORK_IN_PROGRESS if progress.started else WORK_PENDING
			row.completed_on = None
			row.actual_hours = hours if progress.started else 0
			reopened.append(row)
	if not done and not reopened:
		return
	# The Job Card's submitter (or canceller) is the authority for its works: ERPNext checked their
	# right to submit / cancel the card, which belongs to this order's Work Order. Only the status,
	# completion and hours of the operation's works change.
	works.complete(doc, done, ignore_permissions=True)
	names = ", ".join(bold(r.description or r.operation) for r in matching)
	if card.docstatus == 2:
		text = _("Job Card {0} ({1}) cancelled: works {2} reopened.").format(
			bold(card.name), bold(operation), names
		)
	elif done:
		text = _("Job Card {0} ({1}) submitted: works {2} Done, {3} h.").format(
			bold(card.name), bold(operation), names, flt(progress.hours, 2)
		)
	else:
		text = _(
			"Job Card {0} ({1}) submitted: works {2} in progress until the other Job Cards of the operation are submitted."
		).format(bold(card.name), bold(operation), names)
	doc.add_comment("Info", text)


# --- the Work Order completed moves the order ------------------------------------------------------


def on_work_order_status(doc, method=None, *args, **kwargs) -> None:
	"""Work Order `update_status` (run by ERPNext's Stock Entry submit / cancel): a completed Work
	Order moves its production order to the ready stage."""
	if doc.get("status") != "Completed" or not doc.get(ORDER_FIELD):
		return
	advance_order(doc.get(ORDER_FIELD), doc)


def target_stage(order) -> str | None:
	from funnel_suite.funnels.definitions import load_funnel

	if not order.get("funnel"):
		return None
	stage = ready_stage(load_funnel(order.funnel), stock.settings().get("work_order_ready_stage"))
	return stage.name if stage else None


def advance_order(name: str, work_order) -> list[str]:
	"""Walk the order to the ready stage; the stages it entered (the rest is reported)."""
	from funnel_suite.funnels.definitions import load_funnel

	try:
		order = frappe.get_doc(ORDER, name, for_update=True)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		return []
	target = target_stage(order)
	if not target:
		return []
	funnel = load_funnel(order.funnel)
	entered = []
	for stage in stages_towards(funnel, order.funnel_stage, target):
		if stock.stage_issues_materials(order.funnel, stage) and to_issue(rows.materials(order)):
			reason = _(
				"entering {0} issues the order's materials: the storekeeper moves it there by hand."
			).format(bold(_(stage)))
		else:
			reason = _move(order, stage, work_order)
		if reason:
			_report_blocked(order, target, stage, work_order, reason)
			break
		entered.append(stage)
	return entered


def _move(order, stage: str, work_order) -> str | None:
	"""The card's normal save into `stage`; the funnel's refusal, or None when moved."""
	from funnel_suite.funnel_procurement.moves import _reason

	frappe.db.savepoint("production_order_move")
	messages = len(frappe.local.message_log)
	before = order.funnel_stage
	try:
		order.funnel_stage = stage
		order.flags.funnel_move_comment = _("Work Order {0} completed.").format(work_order.name)
		# The submitter of the Manufacture entry is the authority for the move (a Stock User may
		# submit it); the funnel's rules, required fields and stage checks still apply in validate.
		order.flags.ignore_permissions = True
		order.save()
		return None
	except (frappe.ValidationError, frappe.PermissionError) as err:
		frappe.db.rollback(save_point="production_order_move")
		del frappe.local.message_log[messages:]  # the submit succeeded; this is not its error
		order.funnel_stage = before
		return _reason(err, order)
	finally:
		order.flags.ignore_permissions = False


def _report_blocked(order, target: str, stage: str, work_order, reason: str) -> None:
	"""The foreman (the order's manager, else its owner) learns why the order stopped, on the
	timeline too."""
	text = _(
		"Work Order {0} is completed and would move this order to {1}, but it cannot enter {2}: {3}"
	).format(bold(work_order.name), bold(_(target)), bold(_(stage)), reason)
	order.add_comment("Info", text)
	user = order.get("manager") or order.owner
	if user and frappe.db.get_value("User", user, "enabled"):
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": ORDER,
				"document_name": order.name,
				"from_user": frappe.session.user,
				"subject": _("Production order {0} stays in {1}").format(
					bold(order.name), bold(_(order.funnel_stage))
				),
				"email_content": text,
			}
		).insert(ignore_permissions=True)  # a notification to the foreman, written by the app
	frappe.msgprint(text, title=_("Production Order Not Moved"), indicator="orange", alert=True)


def on_manufacture_cancel(doc, method=None) -> None:
	"""Stock Entry on_cancel: a cancelled Manufacture of an order's Work Order moves nothing back;
	the order's timeline says so."""
	if doc.get("purpose") != "Manufacture" or not doc.get("work_order"):
		return
	order = frappe.db.get_value("Work Order", doc.work_order, ORDER_FIELD)
	if not order or not frappe.db.exists(ORDER, order):
		return
	stage = frappe.db.get_value(ORDER, order, "funnel_stage")
	frappe.get_doc(ORDER, order).add_comment(
		"Info",
		_(
			"Stock Entry {0} cancelled: Work Order {1} is no longer completed. The order stays in {2}; move it back by hand if needed."
		).format(bold(doc.name), bold(doc.work_order), bold(_(stage or ""))),
	)
