// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.listview_settings["Funnel"] = {
	add_fields: ["enabled", "is_default", "document_type"],
	get_indicator(doc) {
		if (!doc.enabled) return [__("Disabled"), "gray", "enabled,=,0"];
		if (doc.is_default) return [__("Default"), "green", "is_default,=,1"];
		return [__("Enabled"), "blue", "enabled,=,1"];
	},
};

frappe.listview_settings["Funnel"].onload = function (listview) {
	if (!frappe.model.can_create("Funnel")) return;
	listview.page.add_inner_button(__("Apply Preset"), () => funnel_suite_apply_preset(listview));
};

function funnel_suite_apply_preset(listview) {
	frappe.xcall("funnel_suite.api.get_presets").then((presets) => {
		const esc = frappe.utils.escape_html;
		const describe = (name) => {
			const preset = presets.find((p) => p.name === name);
			if (!preset) return "";
			const funnels = preset.funnels
				.map(
					(f) => `<li><b>${esc(f.funnel_name)}</b> <span class="text-muted">(${__(
						f.document_type
					)}${f.exists ? ", " + __("already exists") : ""})</span><br>
					<small class="text-muted">${f.stages.map(esc).join(" › ")}</small></li>`
				)
				.join("");
			return `<p>${esc(preset.description)}</p><ul>${funnels}</ul>`;
		};
		const dialog = new frappe.ui.Dialog({
			title: __("Apply a Funnel Preset"),
			fields: [
				{
					fieldname: "preset",
					fieldtype: "Select",
					label: __("Business Type"),
					reqd: 1,
					options: presets.map((p) => ({ value: p.name, label: p.title })),
					default: presets.length ? presets[0].name : null,
					onchange: () => dialog.fields_dict.details.$wrapper.html(describe(dialog.get_value("preset"))),
				},
				{ fieldname: "details", fieldtype: "HTML" },
			],
			primary_action_label: __("Create Funnels"),
			primary_action(values) {
				frappe
					.xcall("funnel_suite.api.apply_preset", { preset: values.preset })
					.then((created) => {
						dialog.hide();
						frappe.msgprint({
							title: __("Preset Applied"),
							indicator: "green",
							message: created.length
								? __("Created funnels: {0}", [created.map(esc).join(", ")])
								: __("All funnels of this preset already exist; nothing was created."),
						});
						listview.refresh();
					});
			},
		});
		dialog.fields_dict.details.$wrapper.html(describe(dialog.get_value("preset")));
		dialog.show();
	});
}
