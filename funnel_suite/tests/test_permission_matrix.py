"""The permission matrix: every whitelisted method of the app × the people who may (or must not)
call it, through the host's own gate (`frappe.handler.is_whitelisted`, then the method's checks).

One table, `MATRIX`: for each call, the personas that are allowed; every other persona must be
refused with a PermissionError. Calls on records of the *other* company show what a user limited
by a User Permission sees. `test_every_whitelisted_method_is_in_the_matrix` fails when the app gains
a whitelisted method that the table does not name.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from unittest.mock import patch

import frappe
from frappe.handler import is_whitelisted

import funnel_suite
from funnel_suite.tests.utils import (
	FunnelTestCase,
	ensure_lost_reason,
	make_funnel,
	make_lead,
	make_opportunity,
	make_user,
	other_company,
	unique,
)

# persona → roles (None: Guest; () with website=True: a website user with no desk role)
PERSONAS: dict[str, tuple[str, ...] | None] = {
	"guest": None,
	"website": (),
	"sales_user": ("Sales User",),
	"sales_user_co": ("Sales User",),  # + User Permission: Company = the test company only
	"sales_manager": ("Sales Manager",),
	"sales_manager_co": ("Sales Manager",),  # + User Permission: Company = the test company only
	"funnel_manager": ("Funnel Manager",),
	"reviewer": ("Funnel Reviewer", "Sales User"),
	"system_manager": ("System Manager",),
	"buyer": ("Purchase User",),
	"support": ("Maintenance User",),
	"support_co": ("Maintenance User",),  # + User Permission: Company = the test company only
	# production: a workshop foreman, a storekeeper, an executor with no workshop role
	"foreman": ("Manufacturing User",),
	"storekeeper": ("Stock User",),
	"executor": (),  # a desk user with no role on orders, the executor of a work (reads it shared)
}
LIMITED = ("sales_user_co", "sales_manager_co", "support_co")
EVERYONE = set(PERSONAS)
SALES = {"sales_user", "sales_user_co", "sales_manager", "sales_manager_co", "reviewer"}
FUNNEL_READERS = SALES | {"funnel_manager", "system_manager"}
CARD_READERS = SALES | {"system_manager"}  # System Manager reads Leads (ERPNext's own permissions)
LEAD_WRITERS = SALES | {"system_manager"}
OPPORTUNITY_WRITERS = SALES  # ERPNext gives System Manager no Opportunity permission
SUPPORT = {"support", "support_co"}  # Maintenance User: ERPNext's role on Warranty Claim
# the number cards count the cards of every card doctype the user reads (buyers: procurement cases;
# support agents: warranty claims;
# the workshop and executors: production orders)
ANY_CARD_READERS = CARD_READERS | {"buyer", "foreman", "storekeeper", "executor"} | SUPPORT
MANAGERS = {"sales_manager", "sales_manager_co", "funnel_manager", "system_manager"}


def _other(allowed: set[str]) -> set[str]:
	"""The same people, less those limited to the test company (the call is on the other one)."""
	return allowed - set(LIMITED)


# label → (method path, the personas allowed). Labels ending in "@other" act on the other company.
MATRIX: dict[str, tuple[str, set[str]]] = {
	"move_card": ("funnel_suite.api.move_card", OPPORTUNITY_WRITERS),
	"move_card@other": ("funnel_suite.api.move_card", _other(OPPORTUNITY_WRITERS)),
	"get_card_state": ("funnel_suite.api.get_card_state", SALES),
	"get_card_state@other": ("funnel_suite.api.get_card_state", _other(SALES)),
	"get_card_state(lead)": ("funnel_suite.api.get_card_state", CARD_READERS),
	"get_funnels": ("funnel_suite.api.get_funnels", FUNNEL_READERS),
	"get_presets": ("funnel_suite.api.get_presets", FUNNEL_READERS),
	"apply_preset": ("funnel_suite.api.apply_preset", {"funnel_manager", "system_manager"}),
	"audit_funnel": ("funnel_suite.api.audit_funnel", FUNNEL_READERS),
	"check_definition": (
		"funnel_suite.funnels.doctype.funnel.funnel.check_definition",
		FUNNEL_READERS,
	),
	"make_upsell": ("funnel_suite.api.make_upsell", OPPORTUNITY_WRITERS),
	"make_upsell@other": ("funnel_suite.api.make_upsell", _other(OPPORTUNITY_WRITERS)),
	# a verdict needs write on the review (Funnel Reviewer; System Manager by the DocType's permissions)
	"review_refusal": ("funnel_suite.api.review_refusal", {"reviewer", "system_manager"}),
	"get_refusal_activity": (
		"funnel_suite.api.get_refusal_activity",
		{"reviewer", "sales_manager", "sales_manager_co"},
	),
	"get_refusal_activity@other": ("funnel_suite.api.get_refusal_activity", {"reviewer", "sales_manager"}),
	# qualifying makes a Customer: ERPNext lets Sales Users create customers, not Sales Managers
	"qualify_lead": ("funnel_suite.api.qualify_lead", SALES - {"sales_manager", "sales_manager_co"}),
	"disqualify_lead": ("funnel_suite.api.disqualify_lead", LEAD_WRITERS),
	"get_customer_journey": ("funnel_suite.api.get_customer_journey", SALES),
	"funnel_open_cards": ("funnel_suite.api.funnel_open_cards", ANY_CARD_READERS),
	"funnel_stale_cards": ("funnel_suite.api.funnel_stale_cards", ANY_CARD_READERS),
	"funnel_won_this_month": ("funnel_suite.api.funnel_won_this_month", ANY_CARD_READERS),
	"funnel_conversion_this_month": ("funnel_suite.api.funnel_conversion_this_month", ANY_CARD_READERS),
	# the charts show the default Opportunity funnel: only readers of Opportunities
	"funnel_stage_counts_chart": ("funnel_suite.api.funnel_stage_counts_chart", SALES),
	"funnel_monthly_flow_chart": ("funnel_suite.api.funnel_monthly_flow_chart", SALES),
	# derived data: only a System Manager recomputes it
	"rebuild_forecast_totals": ("funnel_suite.api.rebuild_forecast_totals", {"system_manager"}),
	"get_planned_contacts": ("funnel_suite.api.get_planned_contacts", SALES),
	"run_repeat_sales_now": ("funnel_suite.api.run_repeat_sales_now", MANAGERS),
	"intake": ("funnel_suite.api.intake", LEAD_WRITERS),
	# website inquiries are off until a System Manager switches them on (test_public_intake
	# covers them switched on, as Guest, with the rate limit)
	"public_intake": ("funnel_suite.api.public_intake", set()),
	# the bot's webhook is off until a System Manager switches it on, and then needs the secret
	# header (test_telegram_inbound covers it switched on, as Guest, with the limit)
	"telegram_webhook": ("funnel_suite.api.telegram_webhook", set()),
	# registering it with the bot (the HTTP call is mocked here)
	"register_telegram_webhook": ("funnel_suite.api.register_telegram_webhook", {"system_manager"}),
	# procurement: the Create buttons of a case need read on the case (buyers; a salesperson only
	# for a case serving a deal they read, and this one serves none) and create on the target
	"make_case_purchase_order": ("funnel_suite.api.make_case_purchase_order", {"buyer"}),
	"make_case_supplier_quotation": ("funnel_suite.api.make_case_supplier_quotation", {"buyer"}),
	"make_case_request_for_quotation": ("funnel_suite.api.make_case_request_for_quotation", {"buyer"}),
	# warranty: support agents (Maintenance User / Manager) answer a claim's route and read its state
	"answer_warranty_question": ("funnel_suite.api.answer_warranty_question", SUPPORT),
	"answer_warranty_question@other": ("funnel_suite.api.answer_warranty_question", _other(SUPPORT)),
	"get_warranty_state": ("funnel_suite.api.get_warranty_state", SUPPORT),
	"get_warranty_state@other": ("funnel_suite.api.get_warranty_state", _other(SUPPORT)),
	# parts and refunds need read on the claim AND create on Stock Entry / Sales Invoice: a support
	# agent alone has neither (ERPNext's Stock User / Accounts User), so no persona here may
	"make_warranty_stock_entry": ("funnel_suite.api.make_warranty_stock_entry", set()),
	"make_warranty_credit_note": ("funnel_suite.api.make_warranty_credit_note", set()),
	# production: Create → Production Order needs read on the source and create on orders (a Stock
	# User reads sales orders; no persona here both reads deals and creates orders: that pair is
	# tested in funnel_production/test_create_orders.py); a work is completed by the workshop roles
	# and by its own executor
	"make_production_order_from_sales_order": (
		"funnel_suite.api.make_production_order_from_sales_order",
		{"storekeeper"},
	),
	"make_production_order_from_opportunity": (
		"funnel_suite.api.make_production_order_from_opportunity",
		set(),
	),
	"complete_production_work": (
		"funnel_suite.api.complete_production_work",
		{"foreman", "storekeeper", "executor"},
	),
	# write on the order and create on Work Order: the foreman (a Stock User reads Work Orders only)
	"create_work_order": ("funnel_suite.api.create_work_order", {"foreman"}),
}


def _whitelisted_in_app() -> dict[str, Callable]:
	"""Every whitelisted function of the app, by the path a client calls it with: the public
	`funnel_suite.api.<name>` where the api module exports it, else its own module path."""
	for info in pkgutil.walk_packages(funnel_suite.__path__, "funnel_suite."):
		if ".test" in info.name or info.name.endswith(".patches") or ".patches." in info.name:
			continue
		try:
			importlib.import_module(info.name)
		except Exception:
			continue  # a module that needs another app or is a script is not a whitelisted path
	api = importlib.import_module("funnel_suite.api")
	public = {id(getattr(api, n)): f"funnel_suite.api.{n}" for n in dir(api) if callable(getattr(api, n))}
	found = {}
	for fn in frappe.whitelisted:
		module = getattr(fn, "__module__", "") or ""
		if not module.startswith("funnel_suite"):
			continue
		found[public.get(id(fn), f"{module}.{fn.__qualname__}")] = fn
	return found


class MatrixFixtures(FunnelTestCase):
	"""The personas and the records every call of the matrix (and the injection tests) act on."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		cls.company = frappe.defaults.get_defaults().get("company") or frappe.db.get_value("Company", {})
		cls.other = other_company(cls.company)
		cls.users = {}
		for persona, roles in PERSONAS.items():
			if roles is None:
				cls.users[persona] = "Guest"
				continue
			email = f"fs-matrix-{persona.replace('_', '-')}@example.com"
			if persona == "website":
				if not frappe.db.exists("User", email):
					frappe.get_doc(
						{
							"doctype": "User",
							"email": email,
							"first_name": "Web",
							"user_type": "Website User",
							"send_welcome_email": 0,
						}
					).insert(ignore_permissions=True)
			else:
				make_user(email, *roles)
			cls.users[persona] = email
		for persona in LIMITED:
			user = cls.users[persona]
			if not frappe.db.exists(
				"User Permission", {"user": user, "allow": "Company", "for_value": cls.company}
			):
				frappe.get_doc(
					{"doctype": "User Permission", "user": user, "allow": "Company", "for_value": cls.company}
				).insert(ignore_permissions=True)

		cls.funnel = make_funnel("Opportunity")
		cls.lost_reason = ensure_lost_reason()
		cls.customer = cls._customer()
		cls.deal = make_opportunity(company=cls.company, funnel=cls.funnel.name)
		cls.deal_other = make_opportunity(company=cls.other, funnel=cls.funnel.name)
		cls.won = make_opportunity(company=cls.company, funnel=cls.funnel.name)
		cls.won_other = make_opportunity(company=cls.other, funnel=cls.funnel.name)
		from funnel_suite.api import move_card

		for deal in (cls.won, cls.won_other):
			move_card("Opportunity", deal.name, "Contract signed")
		cls.review = cls._lost_review(cls.company)
		cls.review_other = cls._lost_review(cls.other)
		cls.lead = make_lead(company=cls.company)
		cls.procurement_case = cls._procurement_case()
		cls.claim, cls.claim_other = cls._warranty_claims()
		cls.sales_order, cls.production_order = cls._production(cls.users["executor"])

	@classmethod
	def _customer(cls) -> str:
		name = unique("Matrix Customer")
		return (
			frappe.get_doc(
				{
					"doctype": "Customer",
					"customer_name": name,
					"customer_group": frappe.db.get_value("Customer Group", {"is_group": 0}),
					"territory": frappe.db.get_value("Territory", {"is_group": 0}),
				}
			)
			.insert()
			.name
		)

	@classmethod
	def _procurement_case(cls) -> str:
		from funnel_suite.funnel_procurement.test_helpers import make_case, make_item, make_supplier

		return make_case(supplier=make_supplier(), items=[(make_item(), 2)]).name

	@classmethod
	def _warranty_claims(cls) -> tuple[str, str]:
		"""Claims for a serial under warranty (waiting at the starter route's first question)."""
		from funnel_suite.funnel_warranty import test_helpers as w

		item = w.make_item()
		claims = []
		for company in (cls.company, cls.other):
			claims.append(
				w.make_claim(cls.customer, serial=w.make_serial(item, 100), item=item, company=company).name
			)
		return claims[0], claims[1]

	@classmethod
	def _production(cls, executor: str) -> tuple[str, object]:
		from funnel_suite.funnel_production.test_helpers import make_item, make_order, make_sales_order

		item = make_item()
		order = make_order(works=[("Matrix work", "Order accepted", executor)])
		return make_sales_order(cls.customer, item), order

	@classmethod
	def _lost_review(cls, company: str) -> str:
		from funnel_suite.api import move_card

		deal = make_opportunity(company=company, funnel=cls.funnel.name)
		move_card("Opportunity", deal.name, "Deal lost", lost_reasons=[cls.lost_reason])
		return frappe.db.get_value("Refusal Review", {"opportunity": deal.name}, "name")

	# ------------------------------------------------------------------ the calls
	def _arguments(self, label: str) -> dict:
		other = label.endswith("@other")
		deal = self.deal_other if other else self.deal
		won = self.won_other if other else self.won
		return {
			"move_card": lambda: {"doctype": "Opportunity", "name": deal.name, "stage": "Proposal sent"},
			"get_card_state": lambda: {"doctype": "Opportunity", "name": deal.name},
			"get_card_state(lead)": lambda: {"doctype": "Lead", "name": self.lead.name},
			"get_funnels": lambda: {"doctype": "Opportunity"},
			"get_presets": dict,
			"apply_preset": lambda: {"preset": "services"},
			"audit_funnel": lambda: {"funnel": self.funnel.name},
			"check_definition": lambda: {"doc": frappe.as_json(self.funnel.as_dict())},
			"make_upsell": lambda: {"opportunity": won.name, "funnel": self.funnel.name},
			"review_refusal": lambda: {"review": self.review, "verdict": "Verified"},
			"get_refusal_activity": lambda: {"review": self.review_other if other else self.review},
			"qualify_lead": lambda: {"lead": self.lead.name},
			"disqualify_lead": lambda: {"lead": self.lead.name, "reason": self._disqualification_reason()},
			"get_customer_journey": lambda: {"customer": self.customer},
			"get_planned_contacts": lambda: {"customer": self.customer},
			"run_repeat_sales_now": dict,
			"rebuild_forecast_totals": lambda: {"funnel": self.funnel.name},
			"intake": lambda: {
				"person_name": "Matrix Person",
				"email": f"{unique('m').replace(' ', '')}@example.com",
			},
			"public_intake": lambda: {"person_name": "Matrix Visitor", "email": "visitor@example.com"},
			"telegram_webhook": dict,
			"register_telegram_webhook": self._telegram_bot,
			"make_case_purchase_order": lambda: {"source_name": self.procurement_case},
			"make_case_supplier_quotation": lambda: {"source_name": self.procurement_case},
			"make_case_request_for_quotation": lambda: {"source_name": self.procurement_case},
			"answer_warranty_question": lambda: {
				"claim": self.claim_other if other else self.claim,
				"node": "Defect confirmed?",
				"answer": "Confirmed",
			},
			"get_warranty_state": lambda: {"claim": self.claim_other if other else self.claim},
			"make_warranty_stock_entry": lambda: {"claim": self.claim},
			"make_warranty_credit_note": lambda: {"claim": self.claim, "sales_invoice": "no-such-invoice"},
			"make_production_order_from_sales_order": lambda: {"source_name": self.sales_order},
			"make_production_order_from_opportunity": lambda: {"source_name": won.name},
			"create_work_order": lambda: {"order": self._bom_order()},
			"complete_production_work": lambda: {
				"order": self.production_order.name,
				"row": self.production_order.works[0].name,
				"actual_hours": 1,
			},
		}.get(label.split("@")[0], dict)()

	def _bom_order(self) -> str:
		"""A production order of an item with a default BOM (made once)."""
		if not getattr(type(self), "bom_order", None):
			from funnel_suite.funnel_production.test_helpers import make_bom_order

			type(self).bom_order = make_bom_order()
		return type(self).bom_order

	def _telegram_bot(self) -> dict:
		"""Messages to the bot switched on, with a token; the setWebhook call mocked."""
		from funnel_suite.funnel_cadences import outbound

		settings = frappe.get_doc("Cadence Settings")
		settings.update(
			{
				"telegram_inbound_enabled": 1,
				"telegram_intake_user": make_user("funnel-matrix-telegram@example.test", "Funnel Intake"),
				"telegram_bot_token": "123:matrix-token",
				"telegram_base_url": "https://api.telegram.org",
			}
		)
		settings.save()
		mocked = patch.object(outbound, "request")
		mocked.start()
		self.addCleanup(mocked.stop)
		host = frappe.local.conf.get("host_name")  # Telegram calls https addresses only
		frappe.local.conf.host_name = "https://crm.example.com"
		self.addCleanup(lambda: frappe.local.conf.update({"host_name": host}))
		return {}

	def _disqualification_reason(self) -> str:
		name = "Matrix: not our market"
		if not frappe.db.exists("Disqualification Reason", name):
			frappe.get_doc({"doctype": "Disqualification Reason", "reason_name": name}).insert(
				ignore_permissions=True
			)
		return name


class TestPermissionMatrix(MatrixFixtures):
	def _call(self, persona: str, label: str) -> str:
		"""'allowed' or 'refused' (PermissionError); anything else is reported as the error."""
		path = MATRIX[label][0]
		kwargs = self._arguments(label)
		frappe.db.savepoint("matrix")
		frappe.set_user(self.users[persona])
		try:
			with patch("frappe.enqueue"):  # the repeat-sales job commits; its gate is what is tested
				fn = frappe.get_attr(path)
				is_whitelisted(fn)
				fn(**kwargs)
			return "allowed"
		except frappe.PermissionError:
			return "refused"
		except Exception as e:
			return f"error {type(e).__name__}: {str(e)[:160]}"
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback(save_point="matrix")
			frappe.local.message_log = []

	def test_matrix(self):
		wrong = []
		for label, (_path, allowed) in MATRIX.items():
			for persona in PERSONAS:
				got = self._call(persona, label)
				expected = "allowed" if persona in allowed else "refused"
				if got != expected:
					wrong.append(f"{label} as {persona}: expected {expected}, got {got}")
		self.assertEqual(wrong, [], "\n" + "\n".join(wrong))

	def test_every_whitelisted_method_is_in_the_matrix(self):
		named = {path for path, _allowed in MATRIX.values()}
		missing = sorted(set(_whitelisted_in_app()) - named)
		self.assertEqual(missing, [], "whitelisted methods missing from MATRIX: " + ", ".join(missing))

	def test_the_matrix_names_only_real_whitelisted_methods(self):
		for path, _allowed in MATRIX.values():
			fn = frappe.get_attr(path)
			self.assertIn(fn, frappe.whitelisted, path)
			self.assertTrue(inspect.isfunction(fn), path)
