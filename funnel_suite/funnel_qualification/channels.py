"""Where an inquiry came in: the Lead's Channel (`funnel_channel`, an app-owned field).

The intake writes it for what it creates (API, Web Form, E-mail, Telegram, or an integration's
own word); a Lead that reaches the host without the intake gets it here from how it was created:
a Data Import row, or a Frappe Web Form. A Lead typed in the desk has none.
"""

from __future__ import annotations

import frappe

from funnel_suite.engine import intake as engine


def host_channel() -> str | None:
	if frappe.flags.in_import:
		return engine.CHANNEL_DATA_IMPORT
	if frappe.flags.in_web_form:
		return engine.CHANNEL_WEB_FORM
	return None


def set_lead_channel(doc, method=None) -> None:
	"""Lead validate (after the owned-fields hook put back any value a user sent): a new Lead
	without a channel gets the host's one."""
	if not doc.is_new() or doc.get("funnel_channel"):
		return
	channel = host_channel()
	if channel:
		doc.funnel_channel = channel
