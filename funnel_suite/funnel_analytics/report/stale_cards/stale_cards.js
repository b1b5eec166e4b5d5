// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Stale Cards"] = {
	filters: [
		{ fieldname: "funnel", label: __("Funnel"), fieldtype: "Link", options: "Funnel" },
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "card_owner", label: __("Owner"), fieldtype: "Link", options: "User" },
		{ fieldname: "source", label: __("Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{ fieldname: "limit", label: __("Rows (oldest first)"), fieldtype: "Int", default: 500 },
	],
	// Data cells are inserted as HTML, and the host keeps a value typed as JSON ("<img …>")
	// unsanitized: typed text is escaped before the standard formatting
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldtype === "Data" && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		return default_formatter(value, row, column, data);
	},
};
