// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Procurement Lead Time"] = {
	filters: [
		funnel_suite.reports.company(1),
		funnel_suite.reports.link("supplier", __("Supplier"), "Supplier"),
		...funnel_suite.reports.date_range(__("Ordered From"), __("Ordered To")),
		funnel_suite.reports.periodicity(),
	],
	formatter: funnel_suite.reports.escape_data_cells,
};
