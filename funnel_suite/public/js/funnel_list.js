// Card lists and Kanban boards (Lead, Opportunity, …): load the funnel fields, so a Kanban card
// can show that it is stale (the app's boards list `funnel_stale` among their card fields).
// Loaded through `doctype_list_js` after the doctype's own list settings.

(frappe.boot.funnel_document_types || ["Lead", "Opportunity"]).forEach((doctype) => {
	const settings = (frappe.listview_settings[doctype] = frappe.listview_settings[doctype] || {});
	settings.add_fields = [
		...new Set([...(settings.add_fields || []), "funnel", "funnel_stage", "funnel_stale"]),
	];
});
