// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.listview_settings["Cadence Enrollment"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colour = { Active: "blue", Completed: "green", Stopped: "gray" }[doc.status] || "gray";
		return [__(doc.status), colour, "status,=," + doc.status];
	},
};
