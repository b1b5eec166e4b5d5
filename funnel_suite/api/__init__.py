"""Whitelisted methods: the public contract `funnel_suite.api.<name>`.

One module per domain (cards, funnels, refusals, qualification, analytics, repeat_sales,
procurement, warranty, production); this package re-exports each method as the same function object, so the host's
`frappe.get_attr("funnel_suite.api.<name>")` finds it and `is_whitelisted` accepts it. A new
method is added to its domain's module and named here (funnel_suite/tests/test_api_paths.py checks the README's
API table against these paths).

Each method checks permissions explicitly before doing anything; reads for users go
through `frappe.get_list`, which applies roles, user permissions and shares.
"""

from funnel_suite.api.analytics import (
	_chart_filters,
	_check_analytics_access,
	funnel_conversion_this_month,
	funnel_monthly_flow_chart,
	funnel_open_cards,
	funnel_stage_counts_chart,
	funnel_stale_cards,
	funnel_won_this_month,
	get_customer_journey,
	rebuild_forecast_totals,
)
from funnel_suite.api.cards import _check_card_doctype, get_card_state, make_upsell, move_card
from funnel_suite.api.funnels import apply_preset, audit_funnel, get_funnels, get_presets
from funnel_suite.api.inbound import register_telegram_webhook, telegram_webhook
from funnel_suite.api.procurement import (
	make_case_purchase_order,
	make_case_request_for_quotation,
	make_case_supplier_quotation,
)
from funnel_suite.api.production import (
	complete_production_work,
	create_work_order,
	make_production_order_from_opportunity,
	make_production_order_from_sales_order,
)
from funnel_suite.api.qualification import disqualify_lead, intake, public_intake, qualify_lead
from funnel_suite.api.refusals import get_refusal_activity, review_refusal
from funnel_suite.api.repeat_sales import (
	PLANNED_CONTACT_STATUSES,
	REPEAT_SALES_MANAGERS,
	get_planned_contacts,
	run_repeat_sales_now,
)
from funnel_suite.api.warranty import (
	answer_warranty_question,
	get_warranty_state,
	make_warranty_credit_note,
	make_warranty_stock_entry,
)
