"""ERPNext Contracts get the `procurement_case` link (a contract made for a case links itself)."""


def execute():
	from funnel_suite.funnel_procurement.setup import create_procurement_fields

	create_procurement_fields()
