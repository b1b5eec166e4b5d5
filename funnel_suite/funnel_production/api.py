"""Whitelisted methods of the production funnel (re-exported as `funnel_suite.api.<name>`).

"Create → Production Order" on a submitted Sales Order and on a won Opportunity: an unsaved
order for the same customer and company, linked to its source (read on the source and create on
Production Order required). A hand-off rule "Create" from an Opportunity funnel into a Production
Order funnel builds the same order (`order_from_opportunity`, acting with the app's rights like
every hand-off). `complete_production_work` records a work as Done with its actual hours: the
workshop roles (write on the order) or the work's own executor.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import flt, getdate, nowdate

from funnel_suite.engine.production import WORK_DONE
from funnel_suite.funnel_production import works
from funnel_suite.funnel_production.rows import ORDER
from funnel_suite.funnels.audit import bold


def _new_order(
	source_doctype: str, source, customer: str | None, due_date, lines
) -> frappe.model.document.Document:
	order = frappe.new_doc(ORDER)
	order.company = source.company
	order.customer = customer
	order.source_doctype = source_doctype
	order.source_name = source.name
	order.due_date = due_date if due_date and getdate(due_date) >= getdate(nowdate()) else None
	names = [line.item_name or line.item_code for line in lines]
	order.title = (
		", ".join(names[:3]) + ("…" if len(names) > 3 else "")
	) or f"{_(source_doctype)} {source.name}"
	order.title = order.title[:140]
	order.description = "\n".join(
		f"{line.item_code}: {flt(line.qty):g} {line.get('uom') or ''}".strip() for line in lines
	)
	if len(lines) == 1:
		order.item_code, order.qty = lines[0].item_code, flt(lines[0].qty)
	if customer:
		order.customer_name = frappe.db.get_value("Customer", customer, "customer_name")
	return order


def order_from_sales_order(source_name: str):
	so = frappe.get_doc("Sales Order", source_name)
	if so.docstatus != 1:
		frappe.throw(
			_("Sales Order {0} is not submitted: submit it before opening a production order.").format(
				bold(so.name)
			),
			title=_("Not Submitted"),
		)
	return _new_order("Sales Order", so, so.customer, so.delivery_date, so.items)


def _is_won(opp) -> bool:
	if opp.status == "Converted":
		return True
	if not opp.get("funnel") or not opp.get("funnel_stage"):
		return False
	from funnel_suite.funnels.definitions import load_funnel

	stage = load_funnel(opp.funnel).stage(opp.funnel_stage)
	return bool(stage and stage.kind == "Won")


def order_from_opportunity(source_name: str):
	"""An unsaved order for a won deal (also the hand-off's maker: no permission check here)."""
	opp = frappe.get_doc("Opportunity", source_name)
	if not _is_won(opp):
		frappe.throw(
			_("Opportunity {0} is not won (stage {1}): a production order opens for a won deal.").format(
				bold(opp.name), bold(_(opp.get("funnel_stage") or opp.status))
			),
			title=_("Not Won"),
		)
	customer = opp.party_name if opp.opportunity_from == "Customer" else None
	return _new_order("Opportunity", opp, customer, opp.get("expected_closing"), opp.items)


def _check(source_doctype: str, source_name: str) -> None:
	frappe.has_permission(source_doctype, "read", source_name, throw=True)
	frappe.has_permission(ORDER, "create", throw=True)


@frappe.whitelist()
def make_production_order_from_sales_order(source_name: str, target_doc=None):
	"""An unsaved Production Order for a submitted Sales Order."""
	_check("Sales Order", source_name)
	return order_from_sales_order(source_name)


@frappe.whitelist()
def make_production_order_from_opportunity(source_name: str, target_doc=None):
	"""An unsaved Production Order for a won Opportunity."""
	_check("Opportunity", source_name)
	return order_from_opportunity(source_name)


@frappe.whitelist(methods=["POST"])
def complete_production_work(order: str, row: str, actual_hours: float | None = None) -> dict:
	"""Mark a work of an order Done with the hours it took; its task is closed. Allowed to whoever
	may change the order, and to the work's own executor (for their work only)."""
	doc = frappe.get_doc(ORDER, order)
	work = next((w for w in doc.works if w.name == row), None)
	if work is None:
		frappe.throw(
			_("Production order {0} has no work {1}.").format(bold(order), bold(row)), title=_("Unknown Work")
		)
	own = work.executor == frappe.session.user
	if not frappe.has_permission(ORDER, "write", doc) and not (
		own and frappe.has_permission(ORDER, "read", doc)
	):
		frappe.throw(
			_("You may not complete the works of production order {0}.").format(bold(order)),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	if actual_hours in ("", None):
		actual_hours = None
	elif not isinstance(actual_hours, (int, float)):
		try:
			actual_hours = float(actual_hours)
		except (TypeError, ValueError):
			frappe.throw(
				_("Actual Hours must be a number of hours, not {0}.").format(bold(actual_hours)),
				title=_("Invalid Hours"),
			)
	# the executor's own report: write on the order was checked above for everyone else; the
	# executor changes only their row (status, completion, hours), nothing they typed but a number
	works.complete(
		doc, [(work, actual_hours)], ignore_permissions=own and not frappe.has_permission(ORDER, "write", doc)
	)
	return {
		"row": work.name,
		"status": WORK_DONE,
		"actual_hours": work.actual_hours,
		"completed_on": work.completed_on,
	}
