// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Production Orders by Stage and Due Date"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
		{ fieldname: "funnel", label: __("Funnel"), fieldtype: "Link", options: "Funnel", get_query: () => ({ filters: { document_type: "Production Order" } }) },

	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldtype === "Data" && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		return default_formatter(value, row, column, data);
	},
};
