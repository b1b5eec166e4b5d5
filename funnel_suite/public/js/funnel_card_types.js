// The card doctypes a System Manager added in Funnel Settings (Card Document Types): the host loads
// `doctype_js` / `doctype_list_js` only for the doctypes an app's hooks name (Lead, Opportunity, …
// keep loading funnel_card.js and funnel_list.js from there), so this script, included on every
// desk page (app_include_js), attaches the same stage bar, move history and list fields to the
// doctypes in frappe.boot.funnel_settings_document_types. It does nothing when there are none.

(function () {
	const doctypes = (frappe.boot && frappe.boot.funnel_settings_document_types) || [];
	if (!doctypes.length) return;

	const CARD_JS = "/assets/funnel_suite/js/funnel_card.js";
	const LIST_JS = "/assets/funnel_suite/js/funnel_list.js";
	const FUNNEL_FIELDS = ["funnel", "funnel_stage", "funnel_stale"];

	frappe.provide("funnel_suite.card");
	funnel_suite.card.registered = funnel_suite.card.registered || {};

	// Forms: the handlers are registered now (before any form of the doctype is built); the stage
	// bar's code loads on the first use. funnel_card.js then sees them registered and adds none.
	const card = (method) => (frm) =>
		frappe.require(CARD_JS).then(() => funnel_suite.card[method](frm));
	doctypes.forEach((doctype) => {
		if (funnel_suite.card.registered[doctype]) return;
		funnel_suite.card.registered[doctype] = true;
		frappe.ui.form.on(doctype, {
			refresh: card("render"),
			funnel: card("on_funnel_change"),
		});
	});

	// Lists and Kanban boards: the funnel fields stay among the list's fields also when the
	// doctype's own list script assigns its settings later; funnel_list.js (the escaping of card
	// titles on Kanban boards) loads now, before a board is drawn.
	const with_funnel_fields = (settings) => {
		if (settings && typeof settings === "object") {
			settings.add_fields = [...new Set([...(settings.add_fields || []), ...FUNNEL_FIELDS])];
		}
		return settings;
	};
	doctypes.forEach((doctype) => {
		let settings = with_funnel_fields(frappe.listview_settings[doctype]);
		Object.defineProperty(frappe.listview_settings, doctype, {
			configurable: true,
			enumerable: true,
			get: () => settings,
			set: (value) => {
				settings = with_funnel_fields(value);
			},
		});
	});
	frappe.require(LIST_JS);
})();
