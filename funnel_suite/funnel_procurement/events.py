"""The hooks of the procurement funnel, merged into hooks.py (no imports: hooks.py reads this at
start-up). Values are dotted paths, as in hooks.py."""

_PKG = "funnel_suite.funnel_procurement"
CASE = "Procurement Case"

# Buyers work cases; a salesperson reads the cases serving a deal / sales order / project they read.
PERMISSION_QUERY_CONDITIONS = {CASE: f"{_PKG}.permissions.get_permission_query_conditions"}
HAS_PERMISSION = {CASE: f"{_PKG}.permissions.has_permission"}
# Named stage checks (funnel_suite.funnels.checks): name -> function (doc) -> reasons it fails.
STAGE_CHECKS = {
	name: f"{_PKG}.checks.{name}"
	for name in (
		"supplier_vetted",
		"contract_signed",
		"order_placed",
		"invoice_received",
		"fully_received",
		"fully_paid",
	)
}
# Late deliveries and overdue supplier invoices, daily; alarms go with their case.
DAILY_JOB = f"{_PKG}.alarms.raise_alarms"
ON_CARD_DELETE = f"{_PKG}.alarms.on_case_deleted"
# Lineage: the served deal / sales order / project lists its cases; the customer journey too.
DASHBOARDS = {
	"Opportunity": f"{_PKG}.dashboard.opportunity_dashboard",
	"Sales Order": f"{_PKG}.dashboard.sales_order_dashboard",
	"Project": f"{_PKG}.dashboard.project_dashboard",
}
CUSTOMER_CARDS = f"{_PKG}.dashboard.customer_cases"

BUYING_DOCTYPES = (
	"Material Request",
	"Request for Quotation",
	"Supplier Quotation",
	"Purchase Order",
	"Purchase Receipt",
	"Purchase Invoice",
)


_MOVES = f"{_PKG}.moves"
# Buying documents move their case (funnel_suite.funnel_procurement.moves).
DOC_EVENTS: dict[str, dict[str, str]] = {
	**{doctype: {"validate": f"{_MOVES}.check_case_link"} for doctype in BUYING_DOCTYPES},
	**{
		doctype: {
			"validate": f"{_MOVES}.check_case_link",
			"on_submit": f"{_MOVES}.on_submit",
			"on_cancel": f"{_MOVES}.on_cancel",
		}
		for doctype in ("Purchase Order", "Purchase Receipt", "Purchase Invoice")
	},
	**{
		doctype: {"on_submit": f"{_MOVES}.on_payment", "on_cancel": f"{_MOVES}.on_payment"}
		for doctype in ("Payment Entry", "Journal Entry")
	},
}
DOC_EVENTS["Purchase Order"]["before_submit"] = f"{_MOVES}.check_order_supplier"


def _as_list(value) -> list:
	return [value] if isinstance(value, str) else list(value or [])


def append_hooks(target: dict, additions: dict) -> None:
	"""Add these hooks after the ones hooks.py already has (doc_events: per doctype and event;
	override_doctype_dashboards: per doctype)."""
	for key, value in additions.items():
		if isinstance(value, dict):
			events = target.setdefault(key, {})
			for event, method in value.items():
				events[event] = [*_as_list(events.get(event)), method]
		else:
			target[key] = [*_as_list(target.get(key)), value]
