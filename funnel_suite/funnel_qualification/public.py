"""Website inquiries from anyone (`funnel_suite.api.public_intake`, no login).

Off by default: a System Manager switches it on in Funnel Settings (Website Inquiries) and names
the user the inquiries are taken in as (a user with the role Funnel Intake). Each IP address may
send Funnel Settings' number of inquiries per window (the host's rate limiter; more get HTTP 429
before anything is read or written). A visitor's values are checked (lengths, email format, an
email or a phone) and then matched exactly like `intake`, with that user's rights. The answer is
always the same, known person or not: no lookup oracle; an error while taking the inquiry in is
logged and answered without details (the request's transaction is rolled back: nothing is
half-written).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint

from funnel_suite.engine import intake as engine
from funnel_suite.funnel_qualification import intake as intake_flow
from funnel_suite.funnel_qualification.intake_user import intake_user_problem
from funnel_suite.funnel_qualification.keys import default_region
from funnel_suite.funnels.doctype.funnel_settings.funnel_settings import get_settings

DEFAULT_LIMIT = 5
DEFAULT_WINDOW_MINUTES = 60
CHANNEL = engine.CHANNEL_WEB_FORM
SOURCE = "Website"


class PublicIntakeOff(frappe.PermissionError):
	pass


def field_label(field: str) -> str:
	return {
		"person_name": _("Name"),
		"company_name": _("Organization"),
		"email": _("Email"),
		"phone": _("Phone"),
		"need": _("Need"),
		"text": _("Message"),
		"utm_source": _("UTM Source"),
		"utm_medium": _("UTM Medium"),
		"utm_campaign": _("UTM Campaign"),
	}.get(field, field)


def answer() -> dict:
	return {"status": engine.OUTCOME_RECEIVED, "message": _("Thank you! We have received your inquiry.")}


def take_in_public(inquiry: engine.Inquiry) -> dict:
	settings = get_settings()
	if not cint(settings.public_intake_enabled):
		frappe.throw(_("This site does not accept website inquiries."), exc=PublicIntakeOff)
	limit = cint(settings.public_intake_limit) or DEFAULT_LIMIT
	minutes = cint(settings.public_intake_window) or DEFAULT_WINDOW_MINUTES
	try:
		# the host's rate limiter (per IP address), built with the configured limit and window
		return rate_limit(limit=limit, seconds=minutes * 60)(_take_in)(settings, inquiry)
	except frappe.RateLimitExceededError:
		frappe.clear_messages()
		frappe.throw(
			_(
				"Too many inquiries from your address: at most {0} in {1} minutes. Please try again later."
			).format(limit, minutes),
			exc=frappe.RateLimitExceededError,
			title=_("Too Many Requests"),
		)


def _take_in(settings, inquiry: engine.Inquiry) -> dict:
	try:
		norm = engine.validate_public_inquiry(inquiry, default_region())
	except engine.TooLong as err:
		frappe.throw(
			_("{0} may be at most {1} characters long.").format(
				frappe.bold(field_label(err.field)), err.limit
			),
			title=_("Invalid Inquiry"),
		)
	except engine.MissingEmailOrPhone:
		frappe.throw(
			_("Please give an email or a phone so that we can answer you."), title=_("Invalid Inquiry")
		)
	except engine.IntakeError as err:
		frappe.throw(intake_flow.describe_error(err), title=_("Invalid Inquiry"))

	user = settings.public_intake_user
	problem = intake_user_problem(user)
	if problem:
		frappe.log_error(title="Website inquiry refused", message=problem, defer_insert=True)
		frappe.throw(_("This site does not accept website inquiries."), exc=PublicIntakeOff)
	visitor = frappe.session.user
	frappe.set_user(user)
	try:
		intake_flow.take_in_normalized(norm.inquiry, norm)
	except Exception:
		# details would tell the visitor about the site's records: log them (outside the request's
		# transaction, which is rolled back), answer plainly
		frappe.log_error(title="Website inquiry failed", defer_insert=True)
		frappe.clear_messages()
		frappe.throw(_("Your inquiry could not be taken in right now. Please try again later."))
	finally:
		frappe.set_user(visitor)
	frappe.clear_messages()  # nothing the intake said about the records reaches the visitor
	return answer()
