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
	// Data cells are inserted as HTML, and the host keeps a value typed as JSON ("<img …>")
	// unsanitized: typed text is escaped before the standard formatting
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldtype === "Data" && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		return default_formatter(value, row, column, data);
	},
};
