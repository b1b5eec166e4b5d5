"""Production: Create Production Order from a Sales Order / won Opportunity, and completing a work.
The methods live beside the domain's code in funnel_suite/funnel_production/api.py; this module
names them for `funnel_suite.api.<name>`."""

from funnel_suite.funnel_production.api import (
	complete_production_work,
	make_production_order_from_opportunity,
	make_production_order_from_sales_order,
)
from funnel_suite.funnel_production.work_orders import create_work_order

__all__ = [
	"complete_production_work",
	"create_work_order",
	"make_production_order_from_opportunity",
	"make_production_order_from_sales_order",
]
