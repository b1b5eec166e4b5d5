// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.query_reports["Material Consumption vs Plan"] = {
	filters: [
		funnel_suite.reports.company(),
		funnel_suite.reports.link("customer", __("Customer"), "Customer"),
		funnel_suite.reports.funnel("Production Order"),
		funnel_suite.reports.link("item_code", __("Item"), "Item"),
	],
	formatter: funnel_suite.reports.escape_data_cells,
};
