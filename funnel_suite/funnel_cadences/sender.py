"""Sending the due steps of active enrollments, in background jobs.

`send_due_steps` (scheduler, every 5 minutes) finds, per active enrollment, the first Queued
step whose time has come and enqueues one job per step (job id = the step row, deduplicated).
`send_step` locks the step row, re-checks it is still Queued and due, sends it through its
channel and records the result on the step and the card's timeline (a Communication).

Email goes through the host's Email Queue (Email Templates are written by System Managers and keep
the host's renderer); SMS through the SMS Settings gateway; Telegram and webhooks are HTTP calls
with a timeout. SMS, Telegram and webhook texts are written by Sales/Funnel Managers and are
rendered in the cadence sandbox (funnel_cadences.sandbox: the card's values, funnel and stage
names, a few filters; no frappe, no database, no network). Every HTTP call goes through
funnel_cadences.outbound (public addresses or allow-listed hosts only, no redirects, no response
body kept). A failed attempt is retried (engine.retry_at); after the
last one the step is Failed with the error text, and the cadence goes on with the next step.
Secrets (bot token, webhook auth value) never appear in errors, logs or communications.
"""

from __future__ import annotations

import json

import frappe
from frappe import _
from frappe.utils import cint, get_datetime, now_datetime

from funnel_suite.engine import cadence as engine
from funnel_suite.funnel_cadences import outbound
from funnel_suite.funnel_cadences.sandbox import TemplateRefused
from funnel_suite.funnels.owned import app_writes

ENROLLMENT = "Cadence Enrollment"
STEP = "Cadence Enrollment Step"
BATCH_SIZE = 500
JOB_TIMEOUT = 300


class PermanentFailure(Exception):
	"""A step that cannot succeed by retrying (no recipient, step removed): Failed at once."""


# ---------------------------------------------------------------------------------------------
# scheduler


def send_due_steps(now=None, limit: int = BATCH_SIZE) -> list[str]:
	"""Enqueue a job for every due step (the first Queued step of each active enrollment)."""
	if not cint(frappe.db.get_single_value("Cadence Settings", "enabled")):
		return []
	names = due_steps(now or now_datetime(), limit)
	for name in names:
		frappe.enqueue(
			"funnel_suite.funnel_cadences.sender.send_step",
			queue="short",
			timeout=JOB_TIMEOUT,
			job_id=f"funnel-cadence-step::{name}",
			deduplicate=True,
			now=bool(frappe.flags.in_test),
			step=name,
		)
	return names


def due_steps(now, limit: int = BATCH_SIZE) -> list[str]:
	rows = frappe.db.sql(
		"""
		select s.name
		from `tabCadence Enrollment Step` s
		join `tabCadence Enrollment` e on e.name = s.parent
		where e.status = 'Active' and s.parenttype = 'Cadence Enrollment'
			and s.status = 'Queued' and s.due_on <= %(now)s
			and not exists (
				select 1 from `tabCadence Enrollment Step` p
				where p.parent = s.parent and p.parenttype = 'Cadence Enrollment'
					and p.status = 'Queued' and p.idx < s.idx
			)
		order by s.due_on asc
		limit %(limit)s
		""",
		{"now": now, "limit": limit},
	)
	return [r[0] for r in rows]


# ---------------------------------------------------------------------------------------------
# one step


def send_step(step: str) -> str | None:
	"""Background job: send one step once. Returns the step's status, None if nothing was done.

	The enrollment row is locked (FOR UPDATE) before its steps are read, the same order a stop
	takes: of two workers on the same step one waits, then sees the step is no longer Queued
	(or not due yet after a failed attempt) and does nothing.
	"""
	parent = frappe.db.get_value(STEP, step, "parent")
	if not parent:
		return None
	enrollment = frappe.get_doc(ENROLLMENT, parent, for_update=True)
	current = next((r for r in enrollment.steps if r.name == step), None)
	if (
		enrollment.status != engine.ACTIVE
		or current is None
		or current.status != engine.QUEUED
		or get_datetime(current.due_on) > now_datetime()
	):
		return None
	if any(r.status == engine.QUEUED and r.idx < current.idx for r in enrollment.steps):
		return None  # an earlier step goes first
	planned = get_datetime(current.planned_on or current.due_on)
	current.attempts = cint(current.attempts) + 1
	now = now_datetime()
	frappe.db.savepoint("funnel_cadence_send")
	try:
		current.communication = deliver(enrollment, current)
	except Exception as err:
		frappe.db.rollback(save_point="funnel_cadence_send")  # nothing half-written stays
		error = describe_error(err)
		retry = None
		if not isinstance(err, PermanentFailure):
			retry = engine.retry_at(current.attempts, now, max_attempts(enrollment, current))
		current.last_error = error
		if retry:
			current.due_on = retry
		else:
			current.status = engine.FAILED
			finish(enrollment, current, planned, now_datetime())
	else:
		current.status, current.sent_on, current.last_error = engine.SENT, now_datetime(), None
		finish(enrollment, current, planned, current.sent_on)
	with app_writes():
		enrollment.save(ignore_permissions=True)
	return current.status


def finish(enrollment, current, planned, finished_at) -> None:
	"""A step finished: the following Queued steps keep their spacing (moved later if it was late)."""
	queued = [r for r in enrollment.steps if r.status == engine.QUEUED and r.idx > current.idx]
	plans = [get_datetime(r.planned_on or r.due_on) for r in queued]
	for r, due in zip(queued, engine.shift_after_finish(finished_at, planned, plans), strict=True):
		r.due_on = r.planned_on = due
	enrollment.status = engine.enrollment_status([r.status for r in enrollment.steps])


def max_attempts(enrollment, current) -> int:
	if current.channel == engine.WEBHOOK:
		definition = cadence_step(enrollment, current)
		if definition and definition.webhook:
			value = cint(frappe.db.get_value("Cadence Webhook", definition.webhook, "max_attempts"))
			if value:
				return value
	return cint(frappe.db.get_single_value("Cadence Settings", "max_attempts")) or engine.DEFAULT_MAX_ATTEMPTS


def cadence_step(enrollment, current):
	if not frappe.db.exists("Cadence", enrollment.cadence):
		return None
	for row in frappe.get_cached_doc("Cadence", enrollment.cadence).steps:
		if row.name == current.cadence_step:
			return row
	return None


def describe_error(err: Exception) -> str:
	"""Our own words for a failed attempt (shown to card readers): never a response body."""
	import requests

	if isinstance(err, requests.Timeout):
		text = _("Timed out: no answer within the time limit.")
	elif isinstance(err, outbound.HTTPFailure):
		text = outbound.status_text(err.status)
	elif isinstance(err, requests.ConnectionError):
		text = _("Could not connect to the address.")
	elif isinstance(err, requests.RequestException):
		text = _("The request failed ({0}).").format(type(err).__name__)
	elif isinstance(err, frappe.ValidationError | PermanentFailure):
		text = frappe.utils.strip_html(str(err))
	else:
		text = f"{type(err).__name__}: {err}"
	return engine.mask_secret(text, *secrets())[:1000]


def secrets() -> list[str]:
	from frappe.utils.password import get_decrypted_password

	found = [get_decrypted_password("Cadence Settings", "Cadence Settings", "telegram_bot_token", False)]
	for name in frappe.get_all("Cadence Webhook", pluck="name"):
		found.append(get_decrypted_password("Cadence Webhook", name, "auth_token", False))
	return [s for s in found if s]


# ---------------------------------------------------------------------------------------------
# channels


def deliver(enrollment, current) -> str:
	"""Send the step; returns the Communication recorded on the card."""
	definition = cadence_step(enrollment, current)
	if definition is None:
		raise PermanentFailure(_("The step was removed from cadence {0}.").format(enrollment.cadence))
	if not frappe.db.exists(enrollment.reference_doctype, enrollment.reference_name):
		raise PermanentFailure(
			_("{0} {1} no longer exists.").format(_(enrollment.reference_doctype), enrollment.reference_name)
		)
	card = frappe.get_doc(enrollment.reference_doctype, enrollment.reference_name)
	values = card_values(card)
	context = {
		"doc": values,
		"card": values,
		"funnel": enrollment.funnel,
		"stage": enrollment.stage,
		"cadence": enrollment.cadence,
		"step": current.step_no,
		"channel": current.channel,
		"enrollment": enrollment.name,
	}
	sender = {
		engine.EMAIL: send_email,
		engine.SMS: send_sms,
		engine.TELEGRAM: send_telegram,
		engine.WEBHOOK: send_webhook,
	}[definition.channel]
	return sender(card, definition, context)


def card_values(card) -> dict:
	"""The card as a template sees it: its field values only (child tables as lists of rows),
	no Document, no methods, no private (`_`) keys."""
	return {k: v for k, v in card.as_dict(no_private_properties=True).items() if not k.startswith("_")}


def render(template: str, context: dict) -> str:
	"""A step's text in the cadence sandbox (funnel_cadences.sandbox); TemplateRefused if refused."""
	from funnel_suite.funnel_cadences import sandbox

	return sandbox.render(template or "", context)


def render_step(definition, fieldname: str, context: dict) -> str:
	"""Render a step's template at send time; a refused template fails the step at once."""
	from funnel_suite.funnel_cadences.steps import template_problem

	try:
		return render(definition.get(fieldname), context)
	except TemplateRefused as err:
		raise PermanentFailure(frappe.utils.strip_html(template_problem(err, definition.idx, fieldname)))


def send_email(card, definition, context) -> str:
	from frappe.core.doctype.communication.email import make
	from frappe.email.doctype.email_template.email_template import get_email_template

	recipient = card_email(card)
	if not recipient:
		raise PermanentFailure(_("{0} {1} has no email address.").format(_(card.doctype), card.name))
	fields = card.as_dict()
	mail = get_email_template(definition.email_template, {**context, **fields, "doc": fields})
	result = make(
		doctype=card.doctype,
		name=card.name,
		recipients=[recipient],
		subject=mail["subject"],
		content=mail["message"],
		send_email=True,
		email_template=definition.email_template,
	)
	return result["name"]


def send_sms(card, definition, context) -> str:
	"""Through the gateway configured in SMS Settings (the host's own parameters and headers),
	with a timeout: the host's send_sms has none and reports failures only as a message."""
	from frappe.core.doctype.sms_settings.sms_settings import (
		create_sms_log,
		get_headers,
		validate_receiver_nos,
	)

	number = card_phone(card)
	if not number:
		raise PermanentFailure(_("{0} {1} has no mobile number.").format(_(card.doctype), card.name))
	settings = frappe.get_doc("SMS Settings")
	if not settings.sms_gateway_url:
		raise PermanentFailure(_("SMS Settings has no SMS Gateway URL."))
	text = render_step(definition, "message", context)
	receiver = validate_receiver_nos([number])[0]
	headers = get_headers(settings)
	params = {p.parameter: p.value for p in settings.get("parameters") if not p.header}
	params.update({settings.message_parameter: text, settings.receiver_parameter: receiver})
	kwargs = {"headers": headers, "timeout": http_timeout()}
	if headers.get("Content-Type") == "application/json":
		kwargs["json"] = params
	elif settings.use_post:
		kwargs["data"] = params
	else:
		kwargs["params"] = params
	outbound.request(
		"POST" if settings.use_post else "GET", settings.sms_gateway_url, _("SMS Gateway URL"), **kwargs
	)
	create_sms_log({"message": text.encode("utf-8"), "receiver_list": [receiver]}, [receiver])
	return record(card, "SMS", text, phone_no=receiver)


def http_timeout() -> int:
	return cint(frappe.db.get_single_value("Cadence Settings", "http_timeout")) or 10


def send_telegram(card, definition, context) -> str:
	from frappe.utils.password import get_decrypted_password

	chat_id = card_telegram_chat(card)
	if not chat_id:
		raise PermanentFailure(_("{0} {1} has no Telegram Chat ID.").format(_(card.doctype), card.name))
	token = get_decrypted_password("Cadence Settings", "Cadence Settings", "telegram_bot_token", False)
	if not token:
		raise PermanentFailure(_("Cadence Settings has no Telegram Bot Token."))
	text = render_step(definition, "message", context)
	base = frappe.db.get_single_value("Cadence Settings", "telegram_base_url") or "https://api.telegram.org"
	base = base.rstrip("/")
	outbound.request(
		"POST",
		f"{base}/bot{token}/sendMessage",
		_("Telegram API URL"),
		json={"chat_id": chat_id, "text": text},
		timeout=http_timeout(),
	)
	return record(card, "Chat", text, subject=_("Telegram message"))


def send_webhook(card, definition, context) -> str:
	from frappe.utils.password import get_decrypted_password

	if not frappe.db.exists("Cadence Webhook", definition.webhook or ""):
		raise PermanentFailure(
			_("Webhook {0} no longer exists; nothing was sent.").format(definition.webhook)
		)
	hook = frappe.get_doc("Cadence Webhook", definition.webhook)
	if not cint(hook.enabled):
		raise PermanentFailure(_("Webhook {0} is disabled; nothing was sent.").format(hook.title))
	body = engine.check_json_body(render_step(definition, "body_template", context))
	headers = {"Content-Type": "application/json"}
	token = get_decrypted_password("Cadence Webhook", hook.name, "auth_token", False)
	if token and hook.auth_header_name:
		headers[hook.auth_header_name] = token
	response = outbound.request(
		hook.method or "POST",
		hook.url,
		_("URL"),
		data=json.dumps(body),
		headers=headers,
		timeout=cint(hook.timeout) or 10,
	)
	response.raise_for_status()
	summary = _("{0} {1} answered HTTP {2}.").format(
		hook.method or "POST", frappe.utils.escape_html(hook.url), response.status_code
	)
	content = (
		f"{summary}<pre>{frappe.utils.escape_html(json.dumps(body, ensure_ascii=False, indent=1))}</pre>"
	)
	return record(card, "Other", content, subject=_("Webhook {0}").format(hook.title))


def record(card, medium: str, content: str, subject: str | None = None, phone_no: str | None = None) -> str:
	"""The sent message on the card's timeline."""
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": medium,
			"sent_or_received": "Sent",
			"subject": subject or frappe.utils.strip_html(content)[:100],
			"content": content,
			"phone_no": phone_no,
			"reference_doctype": card.doctype,
			"reference_name": card.name,
			"status": "Linked",
		}
	)
	communication.insert(ignore_permissions=True)
	return communication.name


# ---------------------------------------------------------------------------------------------
# recipients


def _party_lead(card):
	if card.doctype == "Opportunity" and card.get("opportunity_from") == "Lead" and card.get("party_name"):
		return frappe.db.get_value(
			"Lead", card.party_name, ["email_id", "mobile_no", "telegram_chat_id"], as_dict=True
		)
	return None


def _contact(card):
	if card.get("contact_person"):
		return frappe.db.get_value(
			"Contact", card.contact_person, ["email_id", "mobile_no", "telegram_chat_id"], as_dict=True
		)
	return None


def _first(card, own: tuple[str, ...], key: str) -> str | None:
	for fieldname in own:
		if card.get(fieldname):
			return card.get(fieldname)
	for source in (_contact(card), _party_lead(card)):
		if source and source.get(key):
			return source.get(key)
	return None


def card_email(card) -> str | None:
	return _first(card, ("email_id", "contact_email"), "email_id")


def card_phone(card) -> str | None:
	return _first(card, ("mobile_no", "contact_mobile"), "mobile_no")


def card_telegram_chat(card) -> str | None:
	return _first(card, ("telegram_chat_id",), "telegram_chat_id")
