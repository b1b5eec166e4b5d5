// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Funnel Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Funnels"), () => frappe.set_route("List", "Funnel"));
	},
});
