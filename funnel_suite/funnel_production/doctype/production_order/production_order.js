// A Production Order: the workshop completes a work with the hours it took (the work's executor
// may complete their own work); "Create Work Order" when the item has a default active BOM; Stock
// Entries, Work Orders and Job Cards of the order are under Connections.
frappe.ui.form.on("Production Order", {
	refresh(frm) {
		if (frm.is_new()) return;
		add_work_order_button(frm);
		const me = frappe.session.user;
		const can_write = frm.has_perm("write");
		const open = (frm.doc.works || []).filter(
			(w) => w.status !== "Done" && (can_write || w.executor === me)
		);
		if (!open.length) return;
		frm.add_custom_button(__("Complete a Work"), () => {
			const esc = frappe.utils.escape_html;
			const dialog = new frappe.ui.Dialog({
				title: __("Complete a Work"),
				fields: [
					{
						fieldname: "row",
						fieldtype: "Select",
						label: __("Work"),
						reqd: 1,
						options: open.map((w) => ({
							value: w.name,
							label: esc(
								`${w.idx}. ${w.description || w.operation || ""} (${__(w.stage)}${
									w.executor ? ", " + w.executor : ""
								})`
							),
						})),
					},
					{
						fieldname: "actual_hours",
						fieldtype: "Float",
						label: __("Actual Hours"),
						reqd: 1,
						description: __("The hours the work took."),
					},
				],
				primary_action_label: __("Mark Done"),
				primary_action(values) {
					frappe.call({
						method: "funnel_suite.api.complete_production_work",
						args: { order: frm.doc.name, row: values.row, actual_hours: values.actual_hours },
						freeze: true,
						callback() {
							dialog.hide();
							frm.reload_doc();
						},
					});
				},
			});
			dialog.show();
		});
	},
});

// The button shows when the user may change the order and create Work Orders, the order has an
// item and a quantity, the item a default active BOM, and no Work Order of the order is running
// (the server checks all of it again).
function add_work_order_button(frm) {
	const doc = frm.doc;
	if (!doc.item_code || !(doc.qty > 0) || !frm.has_perm("write")) return;
	if (!frappe.model.can_create("Work Order")) return;
	frappe.db
		.get_value("BOM", { item: doc.item_code, is_active: 1, is_default: 1, docstatus: 1 }, "name")
		.then((r) => {
			if (!r.message || !r.message.name || frm.doc.name !== doc.name) return;
			return frappe.db
				.get_value(
					"Work Order",
					{
						production_order: doc.name,
						docstatus: ["<", 2],
						status: ["not in", ["Completed", "Closed"]],
					},
					"name"
				)
				.then((running) => {
					if (running.message && running.message.name) return;
					frm.add_custom_button(
						__("Work Order"),
						() => {
							frappe.call({
								method: "funnel_suite.api.create_work_order",
								args: { order: frm.doc.name },
								freeze: true,
								callback(res) {
									if (res.message) frappe.set_route("Form", "Work Order", res.message);
								},
							});
						},
						__("Create")
					);
				});
		});
}
