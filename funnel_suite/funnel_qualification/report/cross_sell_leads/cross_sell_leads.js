// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Cross-sell Leads"] = {
	filters: [
		{ fieldname: "target_for", label: __("Prospect For"), fieldtype: "Link", options: "Item Group" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date" },
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
