// What the app's query reports share (loaded on every desk page through app_include_js, before any
// report script): the filters most of them offer, built one way, and the cell formatter that
// escapes Data cells. The datatable inserts a Data cell as HTML and the host keeps a value typed as
// JSON ("<img …>") unsanitized, so typed text (titles, names, notes, UTM tags) is escaped before
// the standard formatting. Labels are passed in already translated (`__()` in the report script),
// so each report keeps its own wording.

frappe.provide("funnel_suite.reports");

Object.assign(funnel_suite.reports, {
	// Company, defaulting to the user's; `reqd` for reports whose figures only add up per company
	company(reqd = 0) {
		return {
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			reqd: reqd ? 1 : 0,
			default: frappe.defaults.get_user_default("Company"),
		};
	},

	link(fieldname, label, options, extra = {}) {
		return { fieldname, label, fieldtype: "Link", options, ...extra };
	},

	// a Funnel filter offering only the funnels of one card doctype
	funnel(document_type) {
		return funnel_suite.reports.link("funnel", __("Funnel"), "Funnel", {
			get_query: () => ({ filters: { document_type } }),
		});
	},

	// from_date / to_date, from `months` months ago to today
	date_range(from_label, to_label, months = 12, reqd = 0) {
		const today = frappe.datetime.get_today();
		return [
			{
				fieldname: "from_date",
				label: from_label,
				fieldtype: "Date",
				default: frappe.datetime.add_months(today, -months),
				reqd: reqd ? 1 : 0,
			},
			{ fieldname: "to_date", label: to_label, fieldtype: "Date", default: today, reqd: reqd ? 1 : 0 },
		];
	},

	periodicity() {
		return {
			fieldname: "periodicity",
			label: __("Period"),
			fieldtype: "Select",
			options: [
				{ value: "Monthly", label: __("Monthly") },
				{ value: "Quarterly", label: __("Quarterly") },
				{ value: "Yearly", label: __("Yearly") },
			],
			default: "Monthly",
		};
	},

	// the report's `formatter`
	escape_data_cells(value, row, column, data, default_formatter) {
		if (column.fieldtype === "Data" && typeof value === "string") {
			value = frappe.utils.escape_html(value);
		}
		return default_formatter(value, row, column, data);
	},
});
