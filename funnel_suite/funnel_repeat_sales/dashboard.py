"""The Customer form's connections show the customer's Planned Contacts."""

from __future__ import annotations

from frappe import _


def customer_dashboard(data):
	data = data or {}
	data.setdefault("fieldname", "customer")
	transactions = data.setdefault("transactions", [])
	label = _("Funnel Repeat Sales")
	for group in transactions:
		if group.get("label") == label:
			if "Planned Contact" not in group["items"]:
				group["items"].append("Planned Contact")
			return data
	transactions.append({"label": label, "items": ["Planned Contact"]})
	return data
