"""Before issue 17's fix any Sales or Funnel Manager could create or repoint a Cadence Webhook,
e.g. at a host of their own that then received every card entering the stage. Webhooks created or
last changed by someone who is not a System Manager are disabled (never deleted), with a comment
saying why; a System Manager checks the URL and enables them again. Their steps fail with
"disabled" until then, visible on each Cadence Enrollment."""

import frappe
from frappe import _


def execute():
	roles = {}

	def system_manager(user: str) -> bool:
		if user not in roles:
			roles[user] = user == "Administrator" or "System Manager" in frappe.get_roles(user)
		return roles[user]

	for hook in frappe.get_all(
		"Cadence Webhook", filters={"enabled": 1}, fields=["name", "url", "owner", "modified_by"]
	):
		others = sorted({u for u in (hook.owner, hook.modified_by) if u and not system_manager(u)})
		if not others:
			continue
		frappe.db.set_value("Cadence Webhook", hook.name, "enabled", 0, update_modified=False)
		frappe.get_doc(
			{
				"doctype": "Comment",
				"comment_type": "Comment",
				"reference_doctype": "Cadence Webhook",
				"reference_name": hook.name,
				"comment_email": "Administrator",
				"content": _(
					"Disabled by an update: this webhook was set up or changed by {0}, who is not a System Manager, and it sends card data to {1}. Only a System Manager may set up webhooks now; check the URL and enable it again if it is right."
				).format(
					frappe.utils.escape_html(", ".join(others)), frappe.utils.escape_html(hook.url or "")
				),
			}
		).insert(ignore_permissions=True)  # written by the update itself, not a user
