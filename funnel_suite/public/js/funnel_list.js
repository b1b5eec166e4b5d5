// Card lists and Kanban boards (Lead, Opportunity, …): load the funnel fields, so a Kanban card
// can show that it is stale (the app's boards list `funnel_stale` among their card fields).
// Loaded through `doctype_list_js` after the doctype's own list settings.

(frappe.boot.funnel_document_types || ["Lead", "Opportunity"]).forEach((doctype) => {
	const settings = (frappe.listview_settings[doctype] = frappe.listview_settings[doctype] || {});
	settings.add_fields = [
		...new Set([...(settings.add_fields || []), "funnel", "funnel_stage", "funnel_stale"]),
	];
});

// The host's Kanban card decodes entities in the card's title (frappe.utils.html2text) and inserts
// the result as HTML, so a Lead named "&lt;img src=x onerror=…&gt;" would run on the funnel's board.
// For the funnel card doctypes the card's renderer reads the title escaped twice: decoded once,
// it is still escaped text, shown as typed. The bundle defining the renderer loads lazily.
(function () {
	if (Object.getOwnPropertyDescriptor(frappe.views, "KanbanBoardCard")?.set) return;
	const doctypes = frappe.boot.funnel_document_types || ["Lead", "Opportunity"];
	const esc = frappe.utils.escape_html;
	const safe = (render) =>
		function (card, wrapper) {
			if (card && doctypes.includes(card.doctype) && typeof card.title === "string") {
				card = new Proxy(card, {
					get: (target, key) => (key === "title" ? esc(esc(target.title)) : target[key]),
				});
			}
			return render(card, wrapper);
		};
	let render = frappe.views.KanbanBoardCard && safe(frappe.views.KanbanBoardCard);
	Object.defineProperty(frappe.views, "KanbanBoardCard", {
		configurable: true,
		get: () => render,
		set: (fn) => {
			render = fn && safe(fn);
		},
	});
})();
