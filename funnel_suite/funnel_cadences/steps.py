"""A cadence's steps as the engine sees them and the words for a refused template: the layer
below the Cadence doctype, the enrollment code and the sender, which all use it."""

import frappe
from frappe import _
from frappe.utils import cint

from funnel_suite.engine import cadence as engine


def step_of(row) -> engine.Step:
	return engine.Step(
		wait_value=cint(row.wait_value),
		wait_unit=row.wait_unit,
		channel=row.channel,
		email_template=row.email_template or "",
		message=row.message or "",
		webhook=row.webhook or "",
		body_template=row.body_template or "",
	)


def template_problem(err, row: int, fieldname: str) -> str:
	"""The translated message for a template the sandbox refused (sandbox.TemplateRefused)."""
	from funnel_suite.funnel_cadences.sandbox import FILTERS, MAX_LOOP_DEPTH

	field = frappe.bold(_(frappe.get_meta("Cadence Step").get_label(fieldname)))
	subject = frappe.bold(frappe.utils.escape_html(err.subject))
	names = ", ".join(engine.sample_context())
	if err.code == "call":
		what = _("a template cannot call functions ({0}); it reads the card's fields as doc.fieldname.")
	elif err.code == "attribute":
		what = _("{0} is not allowed: a template reads only the card's fields (doc.fieldname).")
	elif err.code == "operator":
		what = _("the operation {0} is not allowed in a template.")
	elif err.code == "tag":
		what = _("{0} is not allowed; a template may use if, for (at most {1} deep) and filters.")
	elif err.code == "filter":
		what = _("there is no filter {0}; the filters are {1}.")
	elif err.code == "unknown_name":
		what = _("unknown name {0}; a template may use {1}.")
		return _("Step {0}, {1}: {2}").format(row, field, what.format(subject, names))
	elif err.code == "too_large":
		what = _("the template is too large or produces too much text (limit {0}).")
	else:
		what = _("the template cannot be rendered: {0}")
	return _("Step {0}, {1}: {2}").format(
		row, field, what.format(subject, MAX_LOOP_DEPTH if err.code == "tag" else ", ".join(FILTERS))
	)
