# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

from funnel_suite.engine import outbound
from funnel_suite.funnel_cadences.doctype.cadence_webhook.cadence_webhook import (
	MAX_ATTEMPTS,
	MAX_TIMEOUT,
	check_range,
)
from funnel_suite.funnel_cadences.outbound import check_url as check_target

DEFAULT_TELEGRAM_URL = "https://api.telegram.org"
MAX_INBOUND_LIMIT = 10000
MAX_INBOUND_WINDOW = 1440
# Where secrets go and which private hosts may be called: System Manager only (permlevel 1 in the
# DocType, and refused here with a message instead of the host's silent reset).
SYSTEM_MANAGER_FIELDS = (
	"telegram_bot_token",
	"telegram_base_url",
	"outbound_allow_list",
	"telegram_inbound_enabled",
	"telegram_intake_user",
	"telegram_webhook_secret",
	"telegram_inbound_limit",
	"telegram_inbound_window",
)


class CadenceSettings(Document):
	def validate_higher_perm_levels(self):
		self.check_system_manager_fields()
		super().validate_higher_perm_levels()

	def validate(self):
		self.check_system_manager_fields()
		self.telegram_base_url = (self.telegram_base_url or "").strip().rstrip("/") or DEFAULT_TELEGRAM_URL
		entries = outbound.parse_allow_list(self.outbound_allow_list)
		try:
			outbound.check_allow_list(entries)
		except outbound.TargetRefused as err:
			from funnel_suite.funnel_cadences.outbound import describe

			frappe.throw(describe(err, _("Allowed Private Hosts")), title=_("Invalid Host"))
		self.outbound_allow_list = "\n".join(entries)
		check_target(self.telegram_base_url, _("Telegram API URL"), allowed=entries)
		self.http_timeout = check_range(self.http_timeout, 10, MAX_TIMEOUT, _("HTTP Timeout (Seconds)"))
		self.max_attempts = check_range(self.max_attempts, 3, MAX_ATTEMPTS, _("Max Attempts"))
		self.telegram_inbound_limit = check_range(
			self.telegram_inbound_limit, 120, MAX_INBOUND_LIMIT, _("Calls per Address")
		)
		self.telegram_inbound_window = check_range(
			self.telegram_inbound_window, 1, MAX_INBOUND_WINDOW, _("Window (Minutes)")
		)
		self.check_webhook_secret()

	def check_webhook_secret(self):
		from funnel_suite.engine.telegram import is_valid_secret

		value = self.telegram_webhook_secret
		if value and not self.is_dummy_password(value) and not is_valid_secret(value):
			frappe.throw(
				_("{0} may hold 1 to 256 of the characters A-Z, a-z, 0-9, _ and -.").format(
					frappe.bold(_("Webhook Secret"))
				),
				title=_("Invalid Secret"),
			)

	def check_system_manager_fields(self):
		if "System Manager" in frappe.get_roles():
			return
		changed = [f for f in SYSTEM_MANAGER_FIELDS if self.changed(f)]
		if changed:
			labels = ", ".join(frappe.bold(_(self.meta.get_label(f))) for f in changed)
			frappe.throw(
				_("Only a System Manager may change {0}.").format(labels),
				frappe.PermissionError,
				title=_("Not Permitted"),
			)

	def changed(self, fieldname: str) -> bool:
		value = self.get(fieldname)
		if self.meta.get_field(fieldname).fieldtype == "Password":
			from frappe.utils.password import get_decrypted_password

			had = get_decrypted_password(self.doctype, self.doctype, fieldname, raise_exception=False)
			if not value:
				return bool(had)
			return not self.is_dummy_password(value) and value != had
		stored = frappe.db.get_single_value(self.doctype, fieldname)
		df = self.meta.get_field(fieldname)
		if df.fieldtype in ("Check", "Int"):
			# an Int left empty (or 0) means its default, a value a form fills in for a new field
			default = cint(df.default) if df.fieldtype == "Int" else 0
			return (cint(value) or default) != (cint(stored) or default)
		return normalized(fieldname, value) != normalized(fieldname, stored)


def normalized(fieldname: str, value) -> str:
	value = (value or "").strip()
	if fieldname == "telegram_base_url":
		return value.rstrip("/") or DEFAULT_TELEGRAM_URL
	if fieldname == "outbound_allow_list":
		return "\n".join(outbound.parse_allow_list(value))
	return value
