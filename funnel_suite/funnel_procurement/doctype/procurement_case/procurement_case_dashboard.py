from frappe import _


def get_data():
	"""Connections of a case: the buying documents linked to it."""
	return {
		"fieldname": "procurement_case",
		"transactions": [
			{
				"label": _("Request"),
				"items": ["Material Request", "Request for Quotation", "Supplier Quotation"],
			},
			{"label": _("Order"), "items": ["Purchase Order", "Purchase Receipt", "Purchase Invoice"]},
			{"label": _("Contract"), "items": ["Contract"]},
		],
	}
