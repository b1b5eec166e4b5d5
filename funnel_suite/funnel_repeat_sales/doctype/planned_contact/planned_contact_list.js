frappe.listview_settings["Planned Contact"] = {
	add_fields: ["status", "due_date"],
	get_indicator(doc) {
		const colors = {
			Scheduled: "blue",
			Done: "green",
			Skipped: "gray",
			Cancelled: "darkgrey",
			Failed: "red",
		};
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
