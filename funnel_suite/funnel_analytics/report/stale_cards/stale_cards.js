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
	// typed text in Data cells is escaped (see public/js/funnel_reports.js)
	formatter: funnel_suite.reports.escape_data_cells,
};
