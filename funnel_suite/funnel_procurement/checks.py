"""Stage checks of the procurement funnel (registered in hooks.py, `funnel_stage_checks`).

Each returns the reasons it fails, translated and naming what is wrong; names typed by users
(supplier, contract) are escaped, the reasons are shown as HTML."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, getdate, nowdate

from funnel_suite.funnel_procurement import progress
from funnel_suite.funnels.audit import bold
from funnel_suite.funnels.checks import stage_check

CASE = "Procurement Case"


def _figures(doc) -> frappe._dict:
	cached = doc.flags.get("procurement_figures")
	if cached is None:
		cached = doc.flags.procurement_figures = progress.figures(doc)
	return cached


@stage_check(CASE)
def supplier_vetted(doc) -> list[str]:
	if not doc.get("supplier"):
		return [_("choose the supplier (Supplier)")]
	s = frappe.db.get_value(
		"Supplier",
		doc.supplier,
		["supplier_name", "tax_id", "disabled", "on_hold", "hold_type", "release_date", "prevent_pos"],
		as_dict=True,
	)
	if not s:
		return [_("supplier {0} does not exist").format(bold(doc.supplier))]
	name, reasons = bold(s.supplier_name or doc.supplier), []
	if not (s.tax_id or "").strip():
		reasons.append(_("supplier {0} has no Tax ID").format(name))
	if s.disabled:
		reasons.append(_("supplier {0} is disabled").format(name))
	if s.on_hold and (not s.release_date or getdate(s.release_date) > getdate(nowdate())):
		reasons.append(_("supplier {0} is on hold in ERPNext ({1})").format(name, _(s.hold_type or "All")))
	if s.prevent_pos:
		reasons.append(_("the Supplier Scorecard standing of {0} prevents purchase orders").format(name))
	return reasons


@stage_check(CASE)
def contract_signed(doc) -> list[str]:
	if not doc.get("contract"):
		return [_("link the signed contract with the supplier (Contract)")]
	c = frappe.db.get_value(
		"Contract",
		doc.contract,
		["party_type", "party_name", "is_signed", "start_date", "end_date", "docstatus"],
		as_dict=True,
	)
	if not c:
		return [_("contract {0} does not exist").format(bold(doc.contract))]
	name, reasons = bold(doc.contract), []
	if c.party_type != "Supplier" or c.party_name != doc.get("supplier"):
		reasons.append(
			_("contract {0} is with {1} {2}, not with the case's supplier {3}").format(
				name, _(c.party_type or ""), bold(c.party_name or ""), bold(doc.get("supplier") or "-")
			)
		)
	if not c.is_signed:
		reasons.append(_("contract {0} is not signed").format(name))
	if c.docstatus == 2:
		reasons.append(_("contract {0} is cancelled").format(name))
	today = getdate(nowdate())
	if (c.start_date and getdate(c.start_date) > today) or (c.end_date and getdate(c.end_date) < today):
		reasons.append(
			_("contract {0} is not active today (from {1} to {2})").format(
				name,
				format_date(c.start_date) if c.start_date else "-",
				format_date(c.end_date) if c.end_date else "-",
			)
		)
	return reasons


@stage_check(CASE)
def order_placed(doc) -> list[str]:
	if not _figures(doc).orders:
		return [_("no purchase order of this case is submitted")]
	return []


@stage_check(CASE)
def invoice_received(doc) -> list[str]:
	if not _figures(doc).invoices:
		return [_("no purchase invoice of this case is submitted")]
	return []


@stage_check(CASE)
def fully_received(doc) -> list[str]:
	f = _figures(doc)
	if not f.fully_received:
		return [_("receipts cover {0}% of the case's quantities, not all of them").format(f.received_percent)]
	return []


@stage_check(CASE)
def fully_paid(doc) -> list[str]:
	f = _figures(doc)
	if not f.invoices:
		return [_("no purchase invoice of this case is submitted")]
	if not progress.fully_paid(f):
		return [
			_(
				"the supplier is paid {0}% of the invoiced amount and invoiced for {1}% of the quantities"
			).format(f.paid_percent, f.billed_percent)
		]
	return []
