"""Personas and records for the browser tests (browser_tests/run): users with the ordinary roles of
the people the app is for, and something to open on every screen of the app.

    bench --site SITE execute funnel_suite.tests.personas.setup --kwargs '{"password": "..."}'

prints (as JSON, its last line) the personas' logins and the names of the records to open. Only on a site with
allow_tests set (the users get a known password). Running it again reuses what exists and adds
fresh cards for the moves the tests make.
"""

from __future__ import annotations

import json
from pathlib import Path

import frappe
from frappe.utils import add_days, nowdate
from frappe.utils.password import update_password

from funnel_suite.funnels.owned import app_writes

APP = Path(__file__).resolve().parent.parent

# key -> (email, roles, language, company limited to (User Permission) or None)
PERSONAS = {
	"sales": ("fs-sales@example.test", ["Sales User"], "en"),
	"sales_limited": ("fs-sales-limited@example.test", ["Sales User"], "en"),
	"manager": ("fs-manager@example.test", ["Sales Manager"], "en"),
	"funnels": ("fs-funnels@example.test", ["Funnel Manager"], "en"),
	"reviewer": ("fs-reviewer@example.test", ["Funnel Reviewer"], "en"),
	"buyer": ("fs-buyer@example.test", ["Purchase User"], "en"),
	"support": ("fs-support@example.test", ["Maintenance User"], "en"),  # warranty claims
	"foreman": ("fs-foreman@example.test", ["Manufacturing User"], "en"),  # the workshop foreman
	"executor": ("fs-executor@example.test", [], "en"),  # a work's executor, no role on orders
	"purchase_manager": ("fs-purchase-manager@example.test", ["Purchase Manager"], "en"),
	"manager_ru": ("fs-manager-ru@example.test", ["Sales Manager"], "ru"),
	"manager_uk": ("fs-manager-uk@example.test", ["Sales Manager"], "uk"),
}
BOARD_FUNNEL = "Browser Board"
BOARD_STAGES = [
	{"stage_name": "Asked", "stage_type": "Open", "probability": 10, "allowed_next": "Offered\nRefused"},
	{"stage_name": "Offered", "stage_type": "Open", "probability": 50, "allowed_next": "Signed\nRefused"},
	{"stage_name": "Signed", "stage_type": "Won", "probability": 100},
	{"stage_name": "Refused", "stage_type": "Lost"},
]


def setup(password: str) -> dict:
	if not frappe.conf.allow_tests:
		frappe.throw("personas are for test sites only (set allow_tests)")
	if not password or len(password) < 12:
		frappe.throw("a password of at least 12 characters is needed")
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	company = frappe.defaults.get_defaults().get("company") or frappe.db.get_value("Company", {})
	users = {key: _user(email, roles, lang, password) for key, (email, roles, lang) in PERSONAS.items()}
	_limit_to_company(users["sales_limited"], company)

	from funnel_suite.demo import load_demo

	load_demo()
	records = _records(company)
	frappe.db.commit()
	result = {"personas": {k: {"email": v, "lang": PERSONAS[k][2]} for k, v in users.items()}, **records}
	return result  # `execute` prints it as JSON


def _user(email: str, roles: list[str], lang: str, password: str) -> str:
	if not frappe.db.exists("User", email):
		frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0].replace("fs-", "").replace("-", " ").title(),
				"send_welcome_email": 0,
				"user_type": "System User",
			}
		).insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.language = lang
	user.enabled = 1
	user.set("roles", [])
	user.append_roles(*roles)
	user.save(ignore_permissions=True)
	update_password(email, password)
	return email


def _limit_to_company(user: str, company: str) -> None:
	if not frappe.db.exists("User Permission", {"user": user, "allow": "Company", "for_value": company}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": user, "allow": "Company", "for_value": company}
		).insert(ignore_permissions=True)


def _records(company: str) -> dict:
	from funnel_suite.funnels.card import default_funnel

	board = _board_funnel()
	lead = frappe.get_doc({"doctype": "Lead", "first_name": "Browser", "last_name": "Lead " + _tag()})
	lead.insert()
	customer = _customer()
	deal = _opportunity(customer, company)
	board_deal = _opportunity(customer, company, funnel=board.name, title="Board")
	rule = _repeat_rule()
	return {
		"company": company,
		"funnel": default_funnel("Opportunity"),
		"lead_funnel": default_funnel("Lead"),
		"board_funnel": board.name,
		"kanban_board": board.kanban_board,
		"board_card": board_deal.name,
		"board_allowed": "Offered",
		"board_forbidden": "Signed",
		"lead": lead.name,
		"opportunity": deal.name,
		"opportunity_stage": deal.funnel_stage,
		"customer": customer,
		"refusal_review": frappe.db.get_value("Refusal Review", {"status": "Pending"}, "name"),
		"repeat_sale_rule": rule,
		"planned_contact": _planned_contact(customer, rule),
		"cadence": _cadence(),
		"reports": script_reports(),
		**_procurement(company, PERSONAS["buyer"][0], deal.name),
		**_production(company, PERSONAS["foreman"][0]),
		**_warranty(),
		"data_strings": _data_strings(),
	}


def _data_strings() -> list[str]:
	"""What users typed (names of funnels, stages, reasons...): data, shown as typed in any language."""
	strings = set(frappe.get_all("Funnel", pluck="name"))
	strings |= set(frappe.get_all("Funnel Stage", pluck="stage_name"))
	strings |= set(frappe.get_all("Funnel Stage", pluck="next_action"))
	for doctype in (
		"Disqualification Reason",
		"Opportunity Lost Reason",
		"Lost Reason Category",
		"Lead Source",
	):
		strings |= set(frappe.get_all(doctype, pluck="name"))
	return sorted(s for s in strings if s)


def _tag() -> str:
	return frappe.generate_hash(length=5)


def _board_funnel():
	if frappe.db.exists("Funnel", BOARD_FUNNEL):
		return frappe.get_doc("Funnel", BOARD_FUNNEL)
	return frappe.get_doc(
		{
			"doctype": "Funnel",
			"funnel_name": BOARD_FUNNEL,
			"document_type": "Opportunity",
			"purpose": "Sales",
			"enabled": 1,
			"stages": BOARD_STAGES,
		}
	).insert()


def _customer() -> str:
	name = "Browser Customer"
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": name,
				"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
				"territory": frappe.db.get_value("Territory", {"is_group": 0}),
			}
		).insert()
	return name


def _opportunity(customer: str, company: str, funnel: str | None = None, title: str = "Deal"):
	return frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": customer,
			"company": company,
			"title": f"{title} {_tag()}",
			**({"funnel": funnel} if funnel else {}),
		}
	).insert()


def _repeat_rule() -> str:
	name = "Browser Rule"
	if not frappe.db.exists("Repeat Sale Rule", name):
		frappe.get_doc(
			{
				"doctype": "Repeat Sale Rule",
				"rule_name": name,
				"enabled": 1,
				"trigger_doctype": "Sales Invoice",
				"mode": "One-off",
				"interval": 90,
				"interval_unit": "Days",
				"create_todo": 1,
			}
		).insert()
	return name


def _planned_contact(customer: str, rule: str) -> str:
	existing = frappe.db.get_value("Planned Contact", {"customer": customer, "rule": rule})
	if existing:
		return existing
	# Planned Contacts are written by the app only (users read them): made here as the app would.
	doc = frappe.get_doc(
		{
			"doctype": "Planned Contact",
			"customer": customer,
			"rule": rule,
			"status": "Scheduled",
			"due_date": add_days(nowdate(), 30),
		}
	)
	doc.flags.ignore_permissions = True
	with app_writes():
		doc.insert()
	return doc.name


def _cadence() -> str:
	name = "Browser Cadence"
	if frappe.db.exists("Cadence", name):
		return name
	template = "Browser Cadence Hello"
	if not frappe.db.exists("Email Template", template):
		frappe.get_doc(
			{
				"doctype": "Email Template",
				"name": template,
				"subject": "Hello",
				"response": "Hello {{ doc.name }}",
			}
		).insert()
	frappe.get_doc(
		{
			"doctype": "Cadence",
			"cadence_name": name,
			"enabled": 1,
			"steps": [{"wait_value": 1, "wait_unit": "Days", "channel": "Email", "email_template": template}],
		}
	).insert()
	return name


def _procurement(company: str, buyer: str, deal: str) -> dict:
	"""A fresh Procurement Case of the buyer (Need registered) for a vetted supplier and a stock
	item, serving the sales persona's deal (which lets that persona read it, and only read it)."""
	supplier = "Browser Supplier"
	if not frappe.db.exists("Supplier", supplier):
		frappe.get_doc(
			{
				"doctype": "Supplier",
				"supplier_name": supplier,
				"supplier_group": frappe.db.get_value("Supplier Group", {"is_group": 0}),
				"tax_id": "7700000099",
			}
		).insert()
	item = "BROWSER-PROC-ITEM"
	if not frappe.db.exists("Item", item):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": item,
				"item_name": "Browser bearing",
				"item_group": frappe.db.get_value("Item Group", {"is_group": 0}),
				"stock_uom": "Nos",
				"is_stock_item": 1,
			}
		).insert()
	warehouse = frappe.db.get_value("Warehouse", {"company": company, "is_group": 0})
	case = frappe.get_doc(
		{
			"doctype": "Procurement Case",
			"title": f"Browser bearings {_tag()}",
			"company": company,
			"supplier": supplier,
			"buyer": buyer,
			"required_by": add_days(nowdate(), 14),
			"serves_doctype": "Opportunity",
			"serves": deal,
			"items": [{"item_code": item, "qty": 8, "warehouse": warehouse, "expected_rate": 50}],
		}
	).insert()
	return {
		"procurement_case": case.name,
		"procurement_case_title": case.title,
		"procurement_supplier": supplier,
		"procurement_item": item,
	}


def _production(company: str, foreman: str) -> dict:
	"""A fresh Production Order at its entry stage with one work of that stage, the foreman its
	executor (the 'Complete a Work' button on his form), for an item with a default BOM (Create →
	Work Order)."""
	from funnel_suite.funnel_procurement.test_helpers import make_item
	from funnel_suite.funnel_production import test_helpers as h

	if not frappe.db.get_single_value("Manufacturing Settings", "default_fg_warehouse"):
		h.manufacturing_defaults(capacity_planning_off=False)
	item = make_item()
	h.make_bom(item, make_item())
	order = h.make_order(
		title=f"Browser cabinet {_tag()}",
		company=company,
		item_code=item,
		qty=1,
		works=[("Browser cutting plan", _entry_stage("Production Order"), foreman)],
	)
	return {"production_order": order.name}


def _entry_stage(doctype: str) -> str:
	from funnel_suite.funnels.card import default_funnel

	funnel = frappe.get_doc("Funnel", default_funnel(doctype))
	return funnel.stages[0].stage_name


def _warranty() -> dict:
	"""A fresh Warranty Claim for a serial under warranty: the starter route answers its automatic
	check and waits at the next question for the support agent."""
	from funnel_suite.funnel_warranty import test_helpers as w

	item = w.make_item()
	claim = w.make_claim(w.make_customer(), serial=w.make_serial(item, 200), item=item)
	return {"warranty_claim": claim.name}


def script_reports() -> list[str]:
	"""The app's Script Reports (from their JSON files)."""
	names = []
	for path in sorted(APP.glob("*/report/*/*.json")):
		meta = json.loads(path.read_text(encoding="utf-8"))
		if meta.get("doctype") == "Report" and meta.get("report_type") == "Script Report":
			names.append(meta["name"])
	return names
