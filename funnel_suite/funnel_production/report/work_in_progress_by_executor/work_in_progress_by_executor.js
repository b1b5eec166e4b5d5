// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Work in Progress by Executor"] = {
	filters: [
		funnel_suite.reports.company(),
		funnel_suite.reports.link("customer", __("Customer"), "Customer"),
		funnel_suite.reports.funnel("Production Order"),
		funnel_suite.reports.link("executor", __("Executor"), "User"),
	],
	formatter: funnel_suite.reports.escape_data_cells,
};
