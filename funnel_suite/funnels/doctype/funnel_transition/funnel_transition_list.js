// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.listview_settings["Funnel Transition"] = {
	add_fields: ["from_stage", "to_stage", "from_funnel"],
	hide_name_column: true,
	get_indicator(doc) {
		if (!doc.from_stage) return [__("Entered"), "blue", "from_stage,is,not set"];
		if (doc.from_funnel) return [__("Changed Funnel"), "purple", "from_funnel,is,set"];
		return [__("Moved"), "green", "from_stage,is,set"];
	},
};
