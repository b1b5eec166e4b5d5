"""The document events of the procurement funnel, merged into hooks.py (no imports: hooks.py
reads this at start-up)."""

BUYING_DOCTYPES = (
	"Material Request",
	"Request for Quotation",
	"Supplier Quotation",
	"Purchase Order",
	"Purchase Receipt",
	"Purchase Invoice",
)


_MOVES = "funnel_suite.funnel_procurement.moves"
# doc_events the procurement funnel adds (merged in hooks.py)
PROCUREMENT_DOC_EVENTS: dict[str, dict[str, str]] = {
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
PROCUREMENT_DOC_EVENTS["Purchase Order"]["before_submit"] = f"{_MOVES}.check_order_supplier"
