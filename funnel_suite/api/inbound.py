"""Inbound channels: the Telegram bot's webhook and its registration (funnel_cadences/telegram_inbound.py).
Incoming e-mail needs no method: it goes through the host's Email Account (funnel_qualification/inbound_mail.py)."""

from __future__ import annotations

import frappe


@frappe.whitelist(allow_guest=True, methods=["POST"])
def telegram_webhook() -> dict:
	"""Telegram's call for each update of the bot (no login): off until a System Manager switches
	it on in Cadence Settings; limited per address (HTTP 429); refused (HTTP 403) unless the header
	X-Telegram-Bot-Api-Secret-Token equals the stored secret; the body must be a Telegram Update.
	A private message becomes an inquiry and a Communication on the card. Answers {"ok": true}."""
	from funnel_suite.funnel_cadences.telegram_inbound import receive

	return receive()


@frappe.whitelist(methods=["POST"])
def register_telegram_webhook() -> dict:
	"""System Manager: register this site's webhook URL and secret with the bot (Telegram's
	setWebhook, through the app's outbound rules). Returns {"url"}."""
	from funnel_suite.funnel_cadences.telegram_inbound import register_webhook

	return register_webhook()
