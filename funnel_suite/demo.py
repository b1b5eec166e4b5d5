"""Demo data: presets, Leads and Opportunities walked through their funnels (fixtures/demo.json).

`bench --site <site> funnel-suite-demo` loads it. Every card goes through the same move
rules as a user's; a lead whose email already exists is skipped, so loading twice adds nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import frappe

from funnel_suite.api import move_card
from funnel_suite.funnels.presets import apply_preset

DEMO_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "demo.json"


def load_demo(path: str | Path | None = None) -> dict[str, list[str]]:
	data = json.loads(Path(path or DEMO_FILE).read_text(encoding="utf-8"))
	lang, frappe.local.lang = frappe.local.lang, "en"  # the demo names funnels and stages in English
	try:
		return _load(data)
	finally:
		frappe.local.lang = lang


def _load(data: dict) -> dict[str, list[str]]:
	for preset in data.get("presets", []):
		apply_preset(preset)
	for source in data.get("lead_sources", []):
		if not frappe.db.exists("Lead Source", source):
			frappe.get_doc({"doctype": "Lead Source", "source_name": source}).insert()
	for reason in data.get("lost_reasons", []):
		if not frappe.db.exists("Opportunity Lost Reason", reason["lost_reason"]):
			frappe.get_doc({"doctype": "Opportunity Lost Reason", **reason}).insert()

	created = {"leads": [], "opportunities": []}
	leads = []
	for spec in data.get("leads", []):
		spec = dict(spec)
		moves = spec.pop("moves", [])
		existing = frappe.db.get_value("Lead", {"email_id": spec["email_id"]})
		if existing:
			leads.append(existing)
			continue
		lead = frappe.get_doc({"doctype": "Lead", **spec}).insert()
		for stage in moves:
			move_card("Lead", lead.name, stage)
		leads.append(lead.name)
		created["leads"].append(lead.name)

	company = frappe.defaults.get_defaults().get("company") or frappe.db.get_value("Company", {})
	for spec in data.get("opportunities", []):
		spec = dict(spec)
		lead = leads[spec.pop("lead")]
		moves, lost = spec.pop("moves", []), spec.pop("lost", None)
		if lead not in created["leads"] or frappe.db.exists("Opportunity", {"party_name": lead}):
			continue
		opportunity = frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead,
				"company": company,
				**spec,
			}
		).insert()
		for stage in moves:
			move_card("Opportunity", opportunity.name, stage)
		if lost:
			funnel = frappe.get_cached_doc("Funnel", opportunity.funnel)
			lost_stage = next(s.stage_name for s in funnel.stages if s.stage_type == "Lost")
			move_card("Opportunity", opportunity.name, lost_stage, lost_reasons=lost)
		created["opportunities"].append(opportunity.name)
	return created


# The demo company: ERPNext's own setup wizard, as a new company would run it.
DEMO_COMPANY = {
	"company_name": "Funnel Demo Ltd",
	"company_abbr": "FDL",
	"country": "United States",
	"currency": "USD",
	"timezone": "America/New_York",
	"language": "english",
	"chart_of_accounts": "Standard",
	"industry": "Manufacturing",
	"company_tagline": "Funnel Suite demo",
	"full_name": "Demo Administrator",
}

# People with ordinary roles to try the desk as (scripts/dev-bench prints them).
DEMO_USERS = (
	("sales.user@demo.localhost", "Sam", "Seller", ("Sales User",)),
	("sales.manager@demo.localhost", "Maria", "Head of Sales", ("Sales Manager", "Sales User")),
	("funnel.manager@demo.localhost", "Felix", "Funnel Admin", ("Funnel Manager", "Sales User")),
	("reviewer@demo.localhost", "Rita", "Reviewer", ("Funnel Reviewer", "Sales User")),
	("buyer@demo.localhost", "Boris", "Buyer", ("Purchase User", "Stock User")),
)


def setup_demo_company() -> str:
	"""Complete ERPNext's setup wizard for the demo company (nothing to do once a company exists)."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	existing = frappe.db.get_value("Company", {})
	if existing:
		return existing
	year = frappe.utils.now_datetime().year
	setup_complete({**DEMO_COMPANY, "fy_start_date": f"{year}-01-01", "fy_end_date": f"{year}-12-31"})
	frappe.db.commit()
	return DEMO_COMPANY["company_name"]


def make_demo_users(password: str) -> list[str]:
	"""Create (or update) the demo users with their roles and the given password."""
	from frappe.utils.password import update_password

	made = []
	for email, first_name, last_name, roles in DEMO_USERS:
		if frappe.db.exists("User", email):
			user = frappe.get_doc("User", email)
		else:
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first_name,
					"last_name": last_name,
					"send_welcome_email": 0,
					"user_type": "System User",
				}
			)
			user.flags.no_welcome_mail = True
			user.insert()
		user.add_roles(*(role for role in roles if frappe.db.exists("Role", role)))
		update_password(email, password)
		made.append(email)
	frappe.db.commit()
	return made


def demo_user_list() -> list[dict]:
	"""The demo users that exist on this site, with their roles (for scripts/dev-bench's summary)."""
	return [
		{"email": email, "roles": [role for role in roles if frappe.db.exists("Role", role)]}
		for email, _first, _last, roles in DEMO_USERS
		if frappe.db.exists("User", email)
	]
