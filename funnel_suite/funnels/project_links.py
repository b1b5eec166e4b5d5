"""Which cards can open an ERPNext Project through a Create Project hand-off, and the check of such a
hand-off row when its funnel is saved (below funnels/handoffs.py and funnels/project_handoffs.py,
which both use it). A card doctype can open projects when its cards have a Customer and a Company and
the Project has a link field to it: the link is how the project is found again."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html

PROJECT = "Project"
# (card field, the doctype it must link to): what a project copies from its card
CARD_FIELDS = (("customer", "Customer"), ("company", "Company"))


def project_link_field(doctype: str) -> str | None:
	"""The Project field that links to a card of `doctype` (the first, in form order), or None."""
	return next(
		(df.fieldname for df in frappe.get_meta(PROJECT).get_link_fields() if df.options == doctype), None
	)


def card_problem(doctype: str) -> str | None:
	"""Why cards of `doctype` cannot open projects, or None when they can."""
	meta = frappe.get_meta(doctype)
	missing = [
		_(target)
		for fieldname, target in CARD_FIELDS
		if not (df := meta.get_field(fieldname)) or df.fieldtype != "Link" or df.options != target
	]
	if missing:
		return _("{0} cards have no {1} field to copy into the project.").format(
			_(doctype), ", ".join(missing)
		)
	if not project_link_field(doctype):
		return _("a Project has no field that links it to a {0}, so it could not be found again.").format(
			_(doctype)
		)
	return None


def validate_row(funnel_doc, row) -> None:
	"""A Create Project row of a funnel being saved (funnels/handoffs.validate_funnel_handoffs)."""
	problem = card_problem(funnel_doc.document_type)
	if problem:
		frappe.throw(
			_("Hand-off row {0}: Create Project is not possible here: {1}").format(row.idx, problem),
			title=_("Invalid Hand-off"),
		)
	if row.target_stage:
		frappe.throw(
			_(
				"Hand-off row {0}: Create Project makes one task per stage of funnel {1}; leave Target Stage empty."
			).format(row.idx, frappe.bold(escape_html(row.target_funnel))),
			title=_("Invalid Hand-off"),
		)
