"""Qualifying a lead: target → customer, contact and a deal; non-target → a reason and the archive.

Both are one transaction each (one request) and reuse ERPNext's own Lead → Customer mapping,
so ERPNext's Lead status, `qualification_status`, `qualified_by` and `qualified_on` stay
consistent. A disqualified lead is archived, never deleted; marked as a prospect for another
product line it joins the cross-sell list (report Cross-sell Leads).
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import nowdate

from funnel_suite.funnels.card import default_funnel, load_funnel
from funnel_suite.funnels.owned import app_writes
from funnel_suite.funnels.sanitize import sanitized_value


def _final_stage(lead, kind: str) -> str:
	funnel = load_funnel(lead.funnel)
	stage = next((s for s in funnel.stages if s.kind == kind), None)
	if stage is None:
		frappe.throw(
			_("Funnel {0} has no {1} stage to move the lead to.").format(frappe.bold(funnel.name), _(kind)),
			title=_("Funnel Incomplete"),
		)
	return stage.name


def _lead_for_action(name: str):
	lead = frappe.get_doc("Lead", name)
	lead.check_permission("write")
	if lead.get("funnel_archived"):
		frappe.throw(
			_("Lead {0} was disqualified and archived; it cannot be qualified or disqualified again.").format(
				frappe.bold(name)
			),
			title=_("Lead Archived"),
		)
	return lead


def _contact_of(lead) -> str:
	contact = frappe.db.get_value(
		"Dynamic Link",
		{"link_doctype": "Lead", "link_name": lead.name, "parenttype": "Contact"},
		"parent",
	)
	if contact:
		return contact
	doc = lead.create_contact()
	doc.append("links", {"link_doctype": "Lead", "link_name": lead.name, "link_title": lead.lead_name})
	doc.save(ignore_permissions=True)
	return doc.name


def _link_contact(contact: str, customer: str) -> None:
	doc = frappe.get_doc("Contact", contact)
	if not any(l.link_doctype == "Customer" and l.link_name == customer for l in doc.links):
		doc.append("links", {"link_doctype": "Customer", "link_name": customer})
		doc.save(ignore_permissions=True)


def qualify_lead(lead: str, funnel: str | None = None, stage: str | None = None) -> dict:
	from erpnext.crm.doctype.lead.lead import _make_customer

	doc = _lead_for_action(lead)
	frappe.has_permission("Opportunity", "create", throw=True)
	funnel = funnel or default_funnel("Opportunity")
	if not funnel or frappe.db.get_value("Funnel", funnel, "document_type") != "Opportunity":
		frappe.throw(
			_("Choose a sales funnel of Opportunities for the deal; {0} is not one.").format(
				frappe.bold(funnel or _("none"))
			),
			title=_("Invalid Funnel"),
		)

	customer = doc.customer or frappe.db.get_value("Customer", {"lead_name": doc.name})
	if not customer:
		frappe.has_permission("Customer", "create", throw=True)
		customer_doc = _make_customer(doc.name)  # ERPNext's mapping: Company or Individual
		customer_doc.insert()
		customer = customer_doc.name
	contact = _contact_of(doc)
	_link_contact(contact, customer)

	doc.reload()  # ERPNext set the status to Converted when the customer was made
	doc.customer = customer
	doc.qualification_status = "Qualified"
	doc.qualified_by = frappe.session.user
	doc.qualified_on = nowdate()
	if doc.get("funnel"):
		doc.funnel_stage = _final_stage(doc, "Won")
		doc.flags.funnel_move_comment = _("Qualified")
	doc.save()

	opportunity = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": customer,
			"company": frappe.defaults.get_user_default("Company")
			or frappe.defaults.get_global_default("company"),
			"source": doc.source,
			"campaign": doc.get("campaign_name"),
			"contact_person": contact,
			"contact_email": doc.email_id,
			"opportunity_owner": doc.lead_owner,
			"territory": doc.territory,
			"funnel": funnel,
			"funnel_stage": stage or None,
			"funnel_source_doctype": "Lead",
			"funnel_source_name": doc.name,
		}
	)
	with app_writes():  # the lineage is the app's; the insert still checks the user's permission
		opportunity.insert()
	return {"customer": customer, "contact": contact, "opportunity": opportunity.name}


def disqualify_lead(lead: str, reason: str, note: str | None = None, target_for: str | None = None) -> dict:
	doc = _lead_for_action(lead)
	if not frappe.db.get_value("Disqualification Reason", {"name": reason, "enabled": 1}):
		reasons = frappe.get_all("Disqualification Reason", filters={"enabled": 1}, pluck="name")
		frappe.throw(
			_("{0} is not a Disqualification Reason. Choose one of: {1}.").format(
				frappe.bold(reason), ", ".join(reasons)
			),
			title=_("Invalid Reason"),
		)
	if target_for and not frappe.db.exists("Item Group", target_for):
		frappe.throw(
			_("Prospect For must be an Item Group (a product line); {0} is not one.").format(
				frappe.bold(target_for)
			),
			title=_("Invalid Product Line"),
		)
	doc.funnel_disqualification_reason = reason
	# also the move comment (the log's INSERT): sanitized as the Small Text field, JSON-wrapped included
	doc.funnel_disqualification_note = (
		sanitized_value("Lead", "funnel_disqualification_note", (note or "").strip()) or None
	)
	doc.funnel_target_for = target_for or None
	doc.funnel_archived = 1
	doc.qualification_status = "Unqualified"
	if doc.get("funnel"):
		doc.funnel_stage = _final_stage(doc, "Lost")
		doc.flags.funnel_move_comment = " — ".join(
			filter(None, [_(reason), doc.funnel_disqualification_note])
		)
	with app_writes():  # the archive and the reason are the app's to write; write permission was checked
		doc.save()
	return {"lead": doc.name, "stage": doc.get("funnel_stage"), "archived": 1}
