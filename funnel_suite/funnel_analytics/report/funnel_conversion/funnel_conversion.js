// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Funnel Conversion"] = {
	filters: [
		{
			fieldname: "funnel",
			label: __("Funnel"),
			fieldtype: "Link",
			options: "Funnel",
			reqd: 1,
			// start on the default Opportunity funnel
			default: (frappe.boot.funnel_defaults || {}).Opportunity,
		},
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -1),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company" },
		{ fieldname: "card_owner", label: __("Owner"), fieldtype: "Link", options: "User" },
		{ fieldname: "source", label: __("Source"), fieldtype: "Link", options: "Lead Source" },
		{ fieldname: "territory", label: __("Territory"), fieldtype: "Link", options: "Territory" },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "", label: __("Stage only") },
				{ value: "Owner", label: __("Owner") },
				{ value: "Source", label: __("Source") },
			],
		},
	],
	// A stage opens the list of the funnel's cards that are in it now (with the report's filters).
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname !== "stage" || !data || !data.stage) return value;
		const report = frappe.query_report;
		const funnel = report.get_filter_value("funnel");
		const doctype = data.card_doctype;
		if (!funnel || !doctype) return value;
		const params = new URLSearchParams({ funnel, funnel_stage: data.stage });
		const company = report.get_filter_value("company");
		if (company) params.set("company", company);
		return `<a href="/app/${frappe.router.slug(doctype)}?${params.toString()}">${value}</a>`;
	},
};
