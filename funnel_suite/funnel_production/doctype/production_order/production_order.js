// A Production Order: the workshop completes a work with the hours it took (the work's executor
// may complete their own work); Stock Entries of the order are under Connections.
frappe.ui.form.on("Production Order", {
	refresh(frm) {
		if (frm.is_new()) return;
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
