// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Warranty Time to Resolution"] = {
	filters: [
		funnel_suite.reports.company(1),
		funnel_suite.reports.link("customer", __("Customer"), "Customer"),
		...funnel_suite.reports.date_range(__("Claimed From"), __("Claimed To")),
	],
	formatter: funnel_suite.reports.escape_data_cells,
};
