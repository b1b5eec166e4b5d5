# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

from frappe import _
from frappe.model.document import Document

from funnel_suite.funnel_cadences.doctype.cadence_webhook.cadence_webhook import (
	MAX_ATTEMPTS,
	MAX_TIMEOUT,
	check_range,
	check_url,
)

DEFAULT_TELEGRAM_URL = "https://api.telegram.org"


class CadenceSettings(Document):
	def validate(self):
		self.telegram_base_url = (self.telegram_base_url or "").strip().rstrip("/") or DEFAULT_TELEGRAM_URL
		check_url(self.telegram_base_url, _("Telegram API URL"))
		self.http_timeout = check_range(self.http_timeout, 10, MAX_TIMEOUT, _("HTTP Timeout (Seconds)"))
		self.max_attempts = check_range(self.max_attempts, 3, MAX_ATTEMPTS, _("Max Attempts"))
