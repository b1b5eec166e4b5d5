# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""An outbound HTTP endpoint a cadence step calls; the auth value is a Password field.

The URL must be a public address (or a host a System Manager allow-listed in Cadence Settings).
When someone other than a System Manager changes the URL of a webhook that carries a stored auth
value, the value is cleared: the new address must not receive a secret its editor does not know.
"""

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
		self.clear_secret_on_new_url()
		self.timeout = check_range(self.timeout, 10, MAX_TIMEOUT, _("Timeout (Seconds)"))
		self.max_attempts = check_range(self.max_attempts, 3, MAX_ATTEMPTS, _("Max Attempts"))
		self.auth_header_name = (self.auth_header_name or "").strip()
		if self.auth_token and not self.auth_header_name:
			frappe.throw(
				_("{0} is required when {1} is set.").format(
					frappe.bold(_("Auth Header Name")), frappe.bold(_("Auth Header Value"))
				)
			)

	def clear_secret_on_new_url(self):
		if self.is_new() or "System Manager" in frappe.get_roles():
			return
		old_url = frappe.db.get_value(self.doctype, self.name, "url")
		if old_url is None or old_url == self.url:
			return
		if self.auth_token and not self.is_dummy_password(self.auth_token):
			return  # the editor typed a new value for the new address
		from frappe.utils.password import get_decrypted_password

		if get_decrypted_password(self.doctype, self.name, "auth_token", raise_exception=False):
			self.auth_token = ""  # Document._save_passwords removes the stored value
			frappe.msgprint(
				_(
					"The URL changed, so the stored {0} was cleared: only a System Manager may send it to a new address. Enter the value again if the new address should receive it."
				).format(frappe.bold(_("Auth Header Value"))),
				alert=True,
			)


def check_url(url: str, label: str) -> None:
	"""An http(s) address the app may call (see funnel_cadences.outbound)."""
	from funnel_suite.funnel_cadences.outbound import check_url as check_target

	check_target(url, label, at_save=True)


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
