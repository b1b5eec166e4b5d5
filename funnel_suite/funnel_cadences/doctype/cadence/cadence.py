# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""A communication cadence: ordered steps (wait, channel, message) a card receives while it
sits in a funnel stage that names the cadence."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from funnel_suite.engine import cadence as engine


class Cadence(Document):
	def validate(self):
		problems = engine.validate_steps([step_of(row) for row in self.steps])
		if problems:
			frappe.throw("<br>".join(self._describe(p) for p in problems), title=_("Invalid Cadence Steps"))
		for row in self.steps:
			if row.channel == engine.WEBHOOK:
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


def check_template(template: str, row: int, fieldname: str, must_be_json: bool = False) -> None:
	"""A step's template must render with a sample card; a webhook body must render to JSON.
	Errors name the step row and the field."""
	from funnel_suite.funnel_cadences.sender import render

	field = frappe.bold(_(frappe.get_meta("Cadence Step").get_label(fieldname)))
	try:
		rendered = render(template, engine.sample_context({"name": "SAMPLE", "title": 'Sample "card"'}))
	except Exception as err:
		frappe.throw(
			_("Step {0}, {1}: the template cannot be rendered: {2}").format(row, field, str(err)),
			title=_("Invalid Cadence Steps"),
		)
	if not must_be_json:
		return
	try:
		engine.check_json_body(rendered)
	except engine.CadenceError as err:
		frappe.throw(
			_("Step {0}, {1}: the rendered body is not valid JSON ({2}).").format(row, field, err.detail),
			title=_("Invalid Cadence Steps"),
		)
