"""The dimensions of a card that the move log keeps with every move and the analytics group by:
company, owner, source, territory and amount (in the company's currency), plus the expected
close date the forecast needs.

They are read from the card's fields by name; a card doctype without such a field has no value
for that dimension. Amount fields per doctype are listed in AMOUNT_FIELDS (the first one set
wins); apps that add card doctypes extend it with the `funnel_card_dimensions` hook, a method
called with the card that returns a dict overriding any of these keys.
"""

from __future__ import annotations

import frappe
from frappe.utils import flt, getdate

from funnel_suite.funnels.tasks import card_owner

AMOUNT_FIELDS = {
	"Opportunity": ("base_opportunity_amount", "opportunity_amount"),
	"Refusal Review": ("amount",),
}
CLOSE_FIELDS = {
	"Opportunity": "expected_closing",
	"Procurement Case": "required_by",
	"Production Order": "due_date",
}
KEYS = ("company", "card_owner", "source", "territory", "amount", "expected_close")


def card_dimensions(doc) -> dict:
	amount = 0.0
	for field in AMOUNT_FIELDS.get(doc.doctype, ()):
		if doc.get(field):
			amount = flt(doc.get(field))
			break
	close_field = CLOSE_FIELDS.get(doc.doctype)
	dims = {
		"company": doc.get("company") or "",
		"card_owner": card_owner(doc) or "",
		"source": doc.get("source") or "",
		"territory": doc.get("territory") or "",
		"amount": amount,
		"expected_close": getdate(doc.get(close_field)) if close_field and doc.get(close_field) else None,
	}
	for method in frappe.get_hooks("funnel_card_dimensions"):
		dims.update(frappe.get_attr(method)(doc) or {})
	return dims
