"""Warranty: answering a claim's route. The methods live beside the domain's code in
funnel_suite/funnel_warranty/api.py; this module names them for `funnel_suite.api.<name>`."""

from funnel_suite.funnel_warranty.api import answer_warranty_question, get_warranty_state

__all__ = ["answer_warranty_question", "get_warranty_state"]
