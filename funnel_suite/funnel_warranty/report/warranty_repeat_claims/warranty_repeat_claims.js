// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Warranty Repeat Claims"] = {
	filters: [
		funnel_suite.reports.company(1),
		funnel_suite.reports.link("customer", __("Customer"), "Customer"),
		...funnel_suite.reports.date_range(__("Claimed From"), __("Claimed To")),
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Serial No", label: __("Serial No") },
				{ value: "Item", label: __("Item") },
			],
			default: "Serial No",
		},
		{ fieldname: "min_claims", label: __("Minimum Claims"), fieldtype: "Int", default: 2 },
	],
	formatter: funnel_suite.reports.escape_data_cells,
};
