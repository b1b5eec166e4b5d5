// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.listview_settings["Funnel"] = {
	add_fields: ["enabled", "is_default", "document_type"],
	get_indicator(doc) {
		if (!doc.enabled) return [__("Disabled"), "gray", "enabled,=,0"];
		if (doc.is_default) return [__("Default"), "green", "is_default,=,1"];
		return [__("Enabled"), "blue", "enabled,=,1"];
	},
};
