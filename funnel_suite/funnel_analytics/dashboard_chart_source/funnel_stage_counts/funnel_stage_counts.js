// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Funnel Stage Counts"] = {
	method: "funnel_suite.api.funnel_stage_counts_chart",
	filters: [
		{
			fieldname: "funnel",
			label: __("Funnel"),
			fieldtype: "Link",
			options: "Funnel",
			description: __("Empty: the default Opportunity funnel"),
		},
	],
};
