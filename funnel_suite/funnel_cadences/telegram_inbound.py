"""Messages to the cadences' Telegram bot (`funnel_suite.api.telegram_webhook`, no login).

Off by default. A System Manager ticks "Accept Messages Sent to the Bot" in Cadence Settings, names
the user messages are taken in as (role Funnel Intake) and registers the webhook
(`register_webhook`: Telegram's setWebhook with the site's URL and a secret, through the app's
outbound rules). Telegram then POSTs every update with the secret in the header
X-Telegram-Bot-Api-Secret-Token.

Each call, in this order: refused (403) when switched off; limited per sending address by the
host's rate limiter (429); refused (403) unless the header equals the stored secret (constant-time
comparison); refused (400) unless the body is a Telegram Update. A private text message then goes
through the intake with the intake user's rights: matched by the Telegram Chat ID of Leads and
Contacts (a customer's contact → the customer's open deal), else a new Lead with the chat id and
the sender's name; the message is recorded as a received Communication on that card (text
escaped), which stops the card's cadence when its cadence stops on a reply. The answer is always
the same short {"ok": true}; refusals carry no detail, failures are logged and answered plainly.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.rate_limiter import rate_limit
from frappe.utils import cint, escape_html
from frappe.utils.password import get_decrypted_password

from funnel_suite.engine import intake as engine
from funnel_suite.engine import telegram
from funnel_suite.funnel_cadences import outbound
from funnel_suite.funnel_qualification import intake as intake_flow
from funnel_suite.funnel_qualification.intake_user import intake_user_problem
from funnel_suite.funnel_qualification.keys import default_region

SETTINGS = "Cadence Settings"
METHOD = "funnel_suite.api.telegram_webhook"
DEFAULT_LIMIT = 120
DEFAULT_WINDOW_MINUTES = 1
SECRET_LENGTH = 48


class TelegramInboundRefused(frappe.PermissionError):
	pass


def _settings():
	return frappe.get_cached_doc(SETTINGS)


def _secret() -> str | None:
	return get_decrypted_password(SETTINGS, SETTINGS, "telegram_webhook_secret", False)


def _refuse():
	"""The same plain refusal for "switched off", "no secret" and "wrong secret"."""
	frappe.clear_messages()
	frappe.throw(_("Not permitted."), exc=TelegramInboundRefused, title=_("Not Permitted"))


def receive() -> dict:
	settings = _settings()
	if not cint(settings.telegram_inbound_enabled):
		_refuse()
	limit = cint(settings.telegram_inbound_limit) or DEFAULT_LIMIT
	minutes = cint(settings.telegram_inbound_window) or DEFAULT_WINDOW_MINUTES
	try:
		# the host's rate limiter (per sending address), before the secret is even looked at
		return rate_limit(limit=limit, seconds=minutes * 60)(_receive)(settings)
	except frappe.RateLimitExceededError:
		frappe.clear_messages()
		frappe.throw(
			_("Too many requests. Please try again later."),
			exc=frappe.RateLimitExceededError,
			title=_("Too Many Requests"),
		)


def _receive(settings) -> dict:
	if not telegram.secret_matches(frappe.get_request_header(telegram.SECRET_HEADER), _secret()):
		_refuse()
	try:
		message = telegram.parse_update(frappe.request.get_data(cache=True) if frappe.request else None)
	except telegram.InvalidUpdate as err:
		frappe.log_error(title="Telegram update refused", message=err.reason, defer_insert=True)
		frappe.throw(_("The request is not a Telegram update."), title=_("Invalid Request"))
	if message is None or frappe.db.exists("Communication", {"message_id": message.message_key}):
		return answer()  # an update the bot does not take in, or one Telegram sent again

	user = settings.telegram_intake_user
	problem = intake_user_problem(user)
	if problem:
		frappe.log_error(title="Telegram message refused", message=problem, defer_insert=True)
		_refuse()
	caller = frappe.session.user
	frappe.set_user(user)
	try:
		take_in_message(message)
	except Exception:
		# details would tell the caller about the site's records: log them (outside the request's
		# transaction, which is rolled back), answer plainly
		frappe.log_error(title="Telegram message failed", defer_insert=True)
		frappe.clear_messages()
		frappe.throw(_("The message could not be taken in right now."))
	finally:
		frappe.set_user(caller)
	frappe.clear_messages()  # nothing the intake said about the records reaches the caller
	return answer()


def answer() -> dict:
	return {"ok": True}


def take_in_message(message: telegram.IncomingMessage) -> dict:
	"""The intake for one message, as the current (intake) user; the message on the chosen card.
	A chat is a conversation: a message after one already on an open card goes on that card as
	well (like a reply in an e-mail thread), without a new inquiry note and notification."""
	thread = chat_thread(message.chat_id)
	if thread:
		record(*thread, message)
		return {"status": engine.OUTCOME_EXISTING, "doctype": thread[0], "name": thread[1]}
	inquiry = engine.Inquiry(
		person_name=message.sender_name,
		telegram_chat_id=message.chat_id,
		channel=engine.CHANNEL_TELEGRAM,
	)
	norm = engine.validate_inquiry(inquiry, default_region())
	result = intake_flow.take_in_normalized(inquiry, norm, reuse_open_deal=True)
	if result.get("name"):
		record(result["doctype"], result["name"], message)
	return result


def chat_thread(chat_id: str) -> tuple[str, str] | None:
	"""The card the chat's last message went to, while it is still open (a Lead not archived, a
	deal not in a won or lost stage) and the intake user may read it; else None (the intake
	decides again, e.g. an archived lead comes back)."""
	last = frappe.get_all(
		"Communication",
		filters={"message_id": ("like", f"telegram:{chat_id}:%"), "sent_or_received": "Received"},
		fields=["reference_doctype", "reference_name"],
		order_by="creation desc",
		limit=1,
	)
	if not last or last[0].reference_doctype not in ("Lead", "Opportunity"):
		return None
	doctype, name = last[0].reference_doctype, last[0].reference_name
	card = frappe.db.get_value(doctype, name, ["name", "funnel", "funnel_stage"], as_dict=True)
	if not card or not frappe.has_permission(doctype, "read", doc=name):
		return None
	if doctype == "Lead" and cint(frappe.db.get_value("Lead", name, "funnel_archived")):
		return None
	if card.funnel:
		from funnel_suite.funnels.card import load_funnel

		stage = load_funnel(card.funnel).stage(card.funnel_stage or "")
		if stage is not None and stage.is_final:
			return None
	return doctype, name


def record(doctype: str, name: str, message: telegram.IncomingMessage) -> str:
	"""The message as a received Communication on the card's timeline. Inserted without the
	permission check: the secret was checked and the intake named the card to the intake user,
	who may read it; the text is escaped (and the host sanitizes the field again)."""
	text = message.text or _("(a message without text)")
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Chat",
			"sent_or_received": "Received",
			"subject": _("Telegram message"),
			"content": escape_html(text).replace("\n", "<br>"),
			"text_content": text,
			"sender_full_name": message.sender_name,
			"message_id": message.message_key,
			"reference_doctype": doctype,
			"reference_name": name,
		}
	)
	communication.insert(ignore_permissions=True)
	return communication.name


# ---------------------------------------------------------------------------------------------
# registering the webhook with the bot


def webhook_url() -> str:
	return frappe.utils.get_url(f"/api/method/{METHOD}")


def register_webhook() -> dict:
	"""Telegram's setWebhook for the bot: this site's endpoint and the secret (made here when
	Cadence Settings has none). System Manager only. Errors never show the bot token."""
	# not frappe.only_for: it lets everyone through while tests run
	if "System Manager" not in frappe.get_roles():
		frappe.throw(
			_("Only a System Manager may register the Telegram webhook."),
			frappe.PermissionError,
			title=_("Not Permitted"),
		)
	settings = frappe.get_doc(SETTINGS)
	if not cint(settings.telegram_inbound_enabled):
		frappe.throw(
			_("Tick {0} in Cadence Settings first.").format(
				frappe.bold(_("Accept Messages Sent to the Bot"))
			),
			title=_("Not Switched On"),
		)
	if not settings.telegram_intake_user:
		frappe.throw(
			_("Choose the user the bot's messages are taken in as ({0}).").format(
				frappe.bold(_("Take Messages In As"))
			),
			title=_("Missing Value"),
		)
	problem = intake_user_problem(settings.telegram_intake_user)
	if problem:
		frappe.throw(problem, title=_("Take Messages In As"))
	token = get_decrypted_password(SETTINGS, SETTINGS, "telegram_bot_token", False)
	if not token:
		frappe.throw(_("Cadence Settings has no Telegram Bot Token."), title=_("No Bot Token"))
	url = webhook_url()
	if not url.lower().startswith("https://"):
		# Telegram delivers updates to https addresses only: say so before sending the bot token
		frappe.throw(
			_(
				"Telegram delivers messages only to an https address, and this site's address is {0}. Set the site's public https address first (site config {1}, e.g. https://crm.example.com)."
			).format(frappe.bold(url), frappe.bold("host_name")),
			title=_("Webhook Not Registered"),
		)
	secret = _secret()
	if not secret:
		secret = frappe.generate_hash(length=SECRET_LENGTH)
		settings.telegram_webhook_secret = secret
		settings.save()
	base = (settings.telegram_base_url or "https://api.telegram.org").rstrip("/")
	try:
		outbound.request(
			"POST",
			f"{base}/bot{token}/setWebhook",
			_("Telegram API URL"),
			json={"url": url, "secret_token": secret, "allowed_updates": ["message"]},
			timeout=cint(settings.http_timeout) or 10,
		)
	except Exception as err:
		from funnel_suite.funnel_cadences.sender import describe_error

		frappe.clear_messages()
		frappe.throw(
			_("Telegram did not register the webhook: {0}").format(describe_error(err)),
			title=_("Webhook Not Registered"),
		)
	return {"url": url}
