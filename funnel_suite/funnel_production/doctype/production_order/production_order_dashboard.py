from frappe import _


def get_data():
	return {
		"fieldname": "production_order",
		"transactions": [
			{"label": _("Stock"), "items": ["Stock Entry"]},
			{"label": _("Manufacturing"), "items": ["Work Order", "Job Card"]},
		],
	}
