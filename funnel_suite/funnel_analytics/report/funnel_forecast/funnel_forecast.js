// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Funnel Forecast"] = {
	filters: [
		{ fieldname: "funnel", label: __("Funnel"), fieldtype: "Link", options: "Funnel" },
		{ fieldname: "from_date", label: __("Close From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("Close To"), fieldtype: "Date" },
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "card_owner", label: __("Owner"), fieldtype: "Link", options: "User" },
		{ fieldname: "source", label: __("Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
	],
};
