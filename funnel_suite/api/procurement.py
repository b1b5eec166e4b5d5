"""Procurement: the Create buttons of a case. The methods live beside the domain's code in
funnel_suite/funnel_procurement/api.py; this module names them for `funnel_suite.api.<name>`."""

from funnel_suite.funnel_procurement.api import (
	make_case_purchase_order,
	make_case_request_for_quotation,
	make_case_supplier_quotation,
)

__all__ = ["make_case_purchase_order", "make_case_request_for_quotation", "make_case_supplier_quotation"]
