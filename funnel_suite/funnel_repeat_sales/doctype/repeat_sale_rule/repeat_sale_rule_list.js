frappe.listview_settings["Repeat Sale Rule"] = {
	add_fields: ["enabled", "mode"],
	get_indicator(doc) {
		return doc.enabled
			? [__("Enabled"), "green", "enabled,=,1"]
			: [__("Disabled"), "gray", "enabled,=,0"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["Sales Manager", "Funnel Manager", "System Manager"])) return;
		listview.page.add_inner_button(__("Work Due Contacts Now"), () =>
			frappe
				.call({ method: "funnel_suite.api.run_repeat_sales_now", freeze: true })
				.then(() =>
					frappe.show_alert({
						message: __("The repeat-sales job is queued: due planned contacts are being worked."),
						indicator: "green",
					})
				)
		);
	},
};
