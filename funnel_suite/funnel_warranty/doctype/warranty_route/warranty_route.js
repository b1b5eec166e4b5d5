// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Warranty Route", {
	setup(frm) {
		// an answer leads to a node directly below this one
		frm.set_query("next_node", "answers", () => ({
			filters: { parent_warranty_route: frm.doc.name },
		}));
		frm.set_query("branch_funnel", () => ({ filters: { document_type: "Warranty Claim" } }));
		frm.set_query("parent_warranty_route", () => ({ filters: { node_kind: ["!=", "Leaf"] } }));
	},
	refresh(frm) {
		frm.add_custom_button(__("Tree View"), () => frappe.set_route("Tree", "Warranty Route"));
	},
});
