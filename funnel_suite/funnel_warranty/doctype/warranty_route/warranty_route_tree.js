// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.treeview_settings["Warranty Route"] = {
	breadcrumb: "Funnel Warranty",
	title: __("Warranty Route"),
	get_tree_root: false,
	root_label: __("Warranty Routes"),
	get_tree_nodes: "frappe.desk.treeview.get_children",
	ignore_fields: ["parent_warranty_route"],
	fields: [
		{ fieldtype: "Data", fieldname: "node_name", label: __("Node Name"), reqd: true },
		{
			fieldtype: "Select",
			fieldname: "node_kind",
			label: __("Node Kind"),
			options: ["Question", "Automatic Check", "Leaf"],
			default: "Question",
			reqd: true,
		},
		{
			fieldtype: "Small Text",
			fieldname: "question",
			label: __("Question"),
			depends_on: "eval:doc.node_kind!=='Leaf'",
		},
	],
	onload(treeview) {
		// a virtual top: every route (a node without a parent) is listed under it
		treeview.root_value = "";
		treeview.make_tree();
	},
};
