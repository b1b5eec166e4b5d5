"""Warranty: answering a claim's route. The methods live beside the domain's code in
funnel_suite/funnel_warranty/api.py; this module names them for `funnel_suite.api.<name>`."""

from funnel_suite.funnel_warranty.api import answer_warranty_question, get_warranty_state
from funnel_suite.funnel_warranty.documents import make_warranty_credit_note, make_warranty_stock_entry

__all__ = [
	"answer_warranty_question",
	"get_warranty_state",
	"make_warranty_credit_note",
	"make_warranty_stock_entry",
]
