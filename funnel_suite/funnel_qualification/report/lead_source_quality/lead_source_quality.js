// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Lead Source Quality"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -1),
			reqd: 1,
		},
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{ fieldname: "source", label: __("Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "campaign", label: __("Campaign"), fieldtype: "Link", options: "Campaign" },
		{ fieldname: "utm_source", label: __("UTM Source"), fieldtype: "Data" },
		{
			fieldname: "channel",
			label: __("Channel"),
			fieldtype: "Select",
			options: ["", "API", "Data Import", "Web Form", "E-mail", "Telegram"],
		},
		{ fieldname: "split_by_channel", label: __("Split by Channel"), fieldtype: "Check" },
	],
	// typed text in Data cells is escaped (see public/js/funnel_reports.js)
	formatter: funnel_suite.reports.escape_data_cells,
};
