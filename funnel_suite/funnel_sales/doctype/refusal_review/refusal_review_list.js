// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.listview_settings["Refusal Review"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colour = { Pending: "orange", Verified: "green", Returned: "red" }[doc.status] || "gray";
		return [__(doc.status), colour, `status,=,${doc.status}`];
	},
};
