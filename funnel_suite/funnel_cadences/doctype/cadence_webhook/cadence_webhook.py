# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""An outbound HTTP endpoint a cadence step calls; the auth value is a Password field.

Integration endpoints are set up by a System Manager; Sales and Funnel Managers design cadences
that use them (they may read and pick a webhook, not create, change or delete one). A webhook
decides where card data goes: one of a manager's own would receive every card entering the stage,
from any company, past their User Permissions. The DocType permissions say so, and the controller
refuses everyone else on every path that saves or deletes (REST, frappe.client, Data Import,
server code with ignore_permissions).

The URL must be a public address (or a host a System Manager allow-listed in Cadence Settings).
"""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

MAX_TIMEOUT = 60
MAX_ATTEMPTS = 10


class CadenceWebhook(Document):
	def validate(self):
		check_system_manager()
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

	def on_trash(self):
		check_system_manager()


def check_system_manager() -> None:
	"""Only a System Manager creates, changes or deletes a webhook (whatever the permissions say)."""
	if "System Manager" in frappe.get_roles():
		return
	frappe.throw(
		_(
			"Only a System Manager may set up, change or delete a Cadence Webhook: it decides where card data is sent. In a cadence step, pick one of the existing webhooks."
		),
		frappe.PermissionError,
		title=_("Not Permitted"),
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
