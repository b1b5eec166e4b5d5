"""Used by scripts/run-tests before it uninstalls the app from its throwaway site for real:
leaves committed Leads and an Opportunity behind, so the check can see they survive."""

import frappe


def seed():
	frappe.set_user("Administrator")
	for n in range(2):
		lead = frappe.get_doc({"doctype": "Lead", "first_name": f"Uninstall Check {n}"}).insert()
	frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Lead",
			"party_name": lead.name,
			"company": frappe.defaults.get_defaults().get("company"),
		}
	).insert()
	frappe.db.commit()
