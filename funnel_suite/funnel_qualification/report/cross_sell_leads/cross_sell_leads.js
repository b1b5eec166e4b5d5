// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Cross-sell Leads"] = {
	filters: [
		{ fieldname: "target_for", label: __("Prospect For"), fieldtype: "Link", options: "Item Group" },
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date" },
	],
	// typed text in Data cells is escaped (see public/js/funnel_reports.js)
	formatter: funnel_suite.reports.escape_data_cells,
};
