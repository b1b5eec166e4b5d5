"""Who may take website inquiries in: the check Funnel Settings runs when the public intake is
switched on and the public intake runs on every inquiry (below both, so neither imports the other)."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_qualification import intake as intake_flow


def intake_user_problem(user: str | None) -> str | None:
	"""Why `user` cannot take website inquiries in, or None."""
	if not user:
		return _("Choose the user website inquiries are taken in as (Take Inquiries In As).")
	if user in ("Administrator", "Guest"):
		return _("Website inquiries cannot be taken in as {0}; choose a user with the role {1}.").format(
			frappe.bold(user), frappe.bold(_(intake_flow.INTAKE_ROLE))
		)
	if not frappe.db.get_value("User", user, "enabled"):
		return _("User {0} is disabled or does not exist.").format(frappe.bold(user))
	if intake_flow.INTAKE_ROLE not in frappe.get_roles(user):
		return _("User {0} needs the role {1} to take website inquiries in.").format(
			frappe.bold(user), frappe.bold(_(intake_flow.INTAKE_ROLE))
		)
	return None
