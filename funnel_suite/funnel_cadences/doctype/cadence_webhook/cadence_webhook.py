# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""An outbound HTTP endpoint a cadence step calls; the auth value is a Password field."""

from urllib.parse import urlparse

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

MAX_TIMEOUT = 60
MAX_ATTEMPTS = 10


class CadenceWebhook(Document):
	def validate(self):
		self.url = (self.url or "").strip()
		check_url(self.url, _("URL"))
		self.timeout = check_range(self.timeout, 10, MAX_TIMEOUT, _("Timeout (Seconds)"))
		self.max_attempts = check_range(self.max_attempts, 3, MAX_ATTEMPTS, _("Max Attempts"))
		self.auth_header_name = (self.auth_header_name or "").strip()
		if self.auth_token and not self.auth_header_name:
			frappe.throw(
				_("{0} is required when {1} is set.").format(
					frappe.bold(_("Auth Header Name")), frappe.bold(_("Auth Header Value"))
				)
			)


def check_url(url: str, label: str) -> None:
	parsed = urlparse(url)
	if parsed.scheme not in ("http", "https") or not parsed.netloc:
		frappe.throw(
			_("{0} must be an http:// or https:// address, not {1}.").format(frappe.bold(label), url or '""'),
			title=_("Invalid URL"),
		)


def check_range(value, default: int, maximum: int, label: str) -> int:
	"""0 / empty = the default; otherwise 1..maximum."""
	value = cint(value) if value not in (None, "") else default
	if value == 0:
		return default
	if not 1 <= value <= maximum:
		frappe.throw(
			_("{0} must be between 1 and {1}, not {2}.").format(frappe.bold(label), maximum, value),
			title=_("Out of Range"),
		)
	return value
