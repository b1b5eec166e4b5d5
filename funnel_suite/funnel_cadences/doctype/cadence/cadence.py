# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""A communication cadence: ordered steps (wait, channel, message) a card receives while it
sits in a funnel stage that names the cadence."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from funnel_suite.engine import cadence as engine
from funnel_suite.funnel_cadences.steps import step_of, template_problem


class Cadence(Document):
	def validate(self):
		problems = engine.validate_steps([step_of(row) for row in self.steps])
		if problems:
			frappe.throw("<br>".join(self._describe(p) for p in problems), title=_("Invalid Cadence Steps"))
		before = self.get_doc_before_save()
		saved = {(r.name, r.channel, r.webhook) for r in before.steps} if before else set()
		for row in self.steps:
			if row.channel == engine.WEBHOOK:
				if (row.name, row.channel, row.webhook) not in saved:
					check_webhook(row)
				check_template(row.body_template, row.idx, "body_template", must_be_json=True)
			elif row.channel in (engine.SMS, engine.TELEGRAM):
				check_template(row.message, row.idx, "message")

	def _describe(self, problem: engine.CadenceError) -> str:
		if problem.code == "no_steps":
			return _("Add at least one step.")
		meta = frappe.get_meta("Cadence Step")
		field = _(meta.get_label(problem.field)) if problem.field else ""
		where = _("Step {0}, {1}").format(problem.row, frappe.bold(field))
		if problem.code == "negative_wait":
			what = _("the wait cannot be negative (it is {0}).").format(problem.detail)
		elif problem.code == "wait_too_long":
			what = _("the wait cannot be longer than {0} days.").format(engine.MAX_WAIT_DAYS)
		elif problem.code == "unknown_unit":
			what = _("choose Days or Hours.")
		elif problem.code == "unknown_channel":
			what = _("choose Email, SMS, Telegram or Webhook.")
		else:
			what = _("required for a step with channel {0}.").format(_(self.steps[problem.row - 1].channel))
		return f"{where}: {what}"

	def on_update(self):
		before = self.get_doc_before_save()
		if before and cint(before.enabled) and not cint(self.enabled):
			from funnel_suite.funnel_cadences.enrollment import stop_cadence

			stop_cadence(self.name)


def check_webhook(row) -> None:
	"""A step that now points at a webhook may use only an existing, enabled one (System Managers
	set webhooks up). A step saved earlier keeps its webhook when it is disabled later: the sender
	refuses to call a disabled webhook, and the cadence's other fields stay editable."""
	enabled = frappe.db.get_value("Cadence Webhook", row.webhook, "enabled") if row.webhook else None
	if enabled is None and not row.webhook:
		return  # engine.validate_steps reports the missing webhook
	field = frappe.bold(_(frappe.get_meta("Cadence Step").get_label("webhook")))
	name = frappe.bold(frappe.utils.escape_html(row.webhook))
	if enabled is None:
		what = _("there is no webhook {0}; pick one a System Manager has set up.")
	elif not cint(enabled):
		what = _("webhook {0} is disabled; pick an enabled one (a System Manager enables webhooks).")
	else:
		return
	frappe.throw(
		_("Step {0}, {1}: {2}").format(row.idx, field, what.format(name)), title=_("Invalid Cadence Steps")
	)


def check_template(template: str, row: int, fieldname: str, must_be_json: bool = False) -> None:
	"""A step's template must render in the cadence sandbox with a sample card (the same sandbox
	that renders it at send time); a webhook body must render to JSON. Errors name the step
	row and the field."""
	from funnel_suite.funnel_cadences.sandbox import TemplateRefused
	from funnel_suite.funnel_cadences.sender import render

	try:
		rendered = render(template, engine.sample_context({"name": "SAMPLE", "title": 'Sample "card"'}))
	except TemplateRefused as err:
		frappe.throw(template_problem(err, row, fieldname), title=_("Invalid Cadence Steps"))
	if not must_be_json:
		return
	try:
		engine.check_json_body(rendered)
	except engine.CadenceError as err:
		field = frappe.bold(_(frappe.get_meta("Cadence Step").get_label(fieldname)))
		frappe.throw(
			_("Step {0}, {1}: the rendered body is not valid JSON ({2}).").format(
				row, field, frappe.utils.escape_html(err.detail)
			),
			title=_("Invalid Cadence Steps"),
		)
