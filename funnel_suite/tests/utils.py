"""Helpers shared by the integration tests (run on a real ERPNext site by `bench run-tests`)."""

from __future__ import annotations

import frappe
from frappe.tests.utils import FrappeTestCase

CARD_DOCTYPES = ("Lead", "Opportunity")


def unique(prefix: str) -> str:
	return f"{prefix} {frappe.generate_hash(length=6)}"


def make_funnel(
	document_type: str = "Opportunity",
	stages: list[dict] | None = None,
	name: str | None = None,
	**kwargs,
):
	stages = stages or [
		{"stage_name": "Inquiry received", "stage_type": "Open", "probability": 10},
		{"stage_name": "Proposal sent", "stage_type": "Open", "probability": 50},
		{"stage_name": "Contract signed", "stage_type": "Won", "probability": 100},
		{"stage_name": "Deal lost", "stage_type": "Lost"},
	]
	doc = frappe.get_doc(
		{
			"doctype": "Funnel",
			"funnel_name": name or unique("Test Funnel"),
			"document_type": document_type,
			"purpose": kwargs.pop("purpose", "Sales"),
			"enabled": kwargs.pop("enabled", 1),
			"is_default": kwargs.pop("is_default", 0),
			"stages": stages,
			**kwargs,
		}
	)
	return doc.insert()


def ensure_lead_source(name: str = "Funnel Test Source") -> str:
	if not frappe.db.exists("Lead Source", name):
		frappe.get_doc({"doctype": "Lead Source", "source_name": name}).insert(ignore_permissions=True)
	return name


def ensure_lost_reason(name: str = "Funnel test: chose a competitor") -> str:
	if not frappe.db.exists("Opportunity Lost Reason", name):
		frappe.get_doc({"doctype": "Opportunity Lost Reason", "lost_reason": name}).insert(
			ignore_permissions=True
		)
	return name


def make_lead(**values):
	doc = frappe.get_doc(
		{
			"doctype": "Lead",
			"first_name": values.pop("first_name", unique("Lead")),
			**values,
		}
	)
	return doc.insert()


def make_opportunity(**values):
	lead = values.pop("lead", None) or make_lead()
	doc = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Lead",
			"party_name": lead.name,
			"company": values.pop("company", None) or frappe.defaults.get_defaults().get("company"),
			**values,
		}
	)
	return doc.insert()


def make_user(email: str, *roles: str) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
			}
		)
		user.insert(ignore_permissions=True)
	user = frappe.get_doc("User", email)
	user.remove_roles(*[r.role for r in user.roles if r.role not in roles])
	user.add_roles(*roles)
	return email


def _sent_sql(fn, built_too: bool) -> list[str]:
	queries: list[str] = []
	original = frappe.db.__class__.sql

	def recording(db, *args, **kwargs):
		if built_too or kwargs.get("run", True):
			queries.append(args[0])
		return original(db, *args, **kwargs)

	frappe.db.__class__.sql = recording
	try:
		fn()
	finally:
		frappe.db.__class__.sql = original
	return queries


def count_queries(fn) -> int:
	"""How many SQL statements `fn()` runs (the test suite and the benchmark count the same way)."""
	return len(_sent_sql(fn, built_too=True))


def executed_queries(fn) -> list[str]:
	"""The SQL statements `fn()` sends to the database. Unlike the host's assertQueryCount this
	skips `frappe.db.sql(..., run=0)` calls, which only build a query (the host's list query of
	the cards a user may read is built that way and runs inside the report's own statement)."""
	return _sent_sql(fn, built_too=False)


def other_company(company: str) -> str:
	"""A second company besides `company`: an existing one, else one created for the tests."""
	name = frappe.db.get_value("Company", {"name": ("!=", company)}, "name")
	if name:
		return name
	return (
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": "Funnel Test Other Co",
				"abbr": "FTOC",
				"default_currency": frappe.db.get_value("Company", company, "default_currency"),
				"country": frappe.db.get_value("Company", company, "country"),
			}
		)
		.insert()
		.name
	)


def transitions(doctype: str, name: str) -> list[dict]:
	return frappe.get_all(
		"Funnel Transition",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=[
			"funnel",
			"from_funnel",
			"from_stage",
			"to_stage",
			"moved_by",
			"seconds_in_from_stage",
			"comment",
		],
		order_by="name asc",
	)


class FunnelTestCase(FrappeTestCase):
	"""Rolls back like FrappeTestCase and drops the cached meta of the card doctypes afterwards
	(funnel saves rewrite the stage Select options, and the cache outlives the rollback)."""

	@classmethod
	def tearDownClass(cls):
		super().tearDownClass()
		frappe.db.rollback()
		from funnel_suite.funnels.card import clear_default_cache

		for doctype in CARD_DOCTYPES:
			frappe.clear_cache(doctype=doctype)
		clear_default_cache()
		frappe.clear_document_cache("Funnel")
		frappe.clear_document_cache("Funnel Settings", "Funnel Settings")


# --- tests that commit (other database connections must see their records) -------------------

# the analytics tables the move path writes per funnel (funnel_analytics/)
FUNNEL_ANALYTICS_TABLES = (
	"Funnel Card State",
	"Funnel Summary",
	"Funnel Velocity Bucket",
	"Funnel Forecast Total",
)


def save_at_once(cards: list[tuple[str, str, str]], done: str = "moved") -> list:
	"""Each (doctype, name, stage) on its own thread and database connection: every thread loads
	its card, waits until all have, then sets the stage, saves and commits. Returns, per card,
	`done` or the exception its save raised."""
	import threading

	site = frappe.local.site
	barrier = threading.Barrier(len(cards))
	outcomes: list = [None] * len(cards)

	def worker(index: int, doctype: str, name: str, stage: str):
		frappe.init(site=site)
		frappe.connect()
		try:
			frappe.set_user("Administrator")
			doc = frappe.get_doc(doctype, name)  # every form is open
			barrier.wait(timeout=30)
			doc.funnel_stage = stage  # everyone presses a stage at once
			doc.save()
			frappe.db.commit()
			outcomes[index] = done
		except Exception as exc:
			frappe.db.rollback()
			outcomes[index] = exc
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=worker, args=(i, *card)) for i, card in enumerate(cards)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=120)
	return outcomes


def remove_committed_deals(deals: list[str]) -> None:
	"""Committed Opportunities and their Leads, with their move log, current-stage rows and their
	share of Funnel Forecast's running totals (the Lead's funnel keeps its other totals)."""
	from funnel_suite.funnel_analytics import forecast_totals
	from funnel_suite.funnel_analytics.summary import STATE, state_name

	for deal in deals:
		lead = frappe.db.get_value("Opportunity", deal, "party_name")
		for doctype, name in (("Opportunity", deal), ("Lead", lead)):
			frappe.db.delete("Funnel Transition", {"reference_doctype": doctype, "reference_name": name})
			forecast_totals.remove_card(state_name(doctype, name))
			frappe.db.delete(STATE, {"reference_doctype": doctype, "reference_name": name})
			frappe.db.delete(doctype, {"name": name})


def remove_committed_funnel(name: str) -> None:
	"""A committed test funnel with every analytics row of it (left behind, they would name a
	funnel that is gone), its Kanban board and stages; the stage options follow."""
	from funnel_suite.funnels.board import sync_stage_options

	doctype, board = frappe.db.get_value("Funnel", name, ["document_type", "kanban_board"]) or (None, None)
	for table in FUNNEL_ANALYTICS_TABLES:
		frappe.db.delete(table, {"funnel": name})
	if board:
		frappe.db.delete("Kanban Board", {"name": board})
	frappe.db.delete("Funnel Stage", {"parent": name})
	frappe.db.delete("Funnel", {"name": name})
	if doctype:
		sync_stage_options(doctype)
