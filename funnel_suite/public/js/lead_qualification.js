// Qualify / Disqualify on the Lead form.

frappe.ui.form.on("Lead", {
	refresh(frm) {
		if (frm.is_new() || frm.doc.funnel_archived || !frm.perm[0].write) return;
		if (frm.doc.qualification_status !== "Qualified") {
			frm.add_custom_button(__("Qualify"), () => funnel_suite_qualify(frm), __("Funnel"));
		}
		frm.add_custom_button(__("Disqualify"), () => funnel_suite_disqualify(frm), __("Funnel"));
	},
});

function funnel_suite_qualify(frm) {
	frappe.xcall("funnel_suite.api.get_funnels", { doctype: "Opportunity" }).then((funnels) => {
		const by_name = Object.fromEntries(funnels.map((f) => [f.name, f]));
		const preferred = funnels.find((f) => f.is_default) || funnels[0];
		const dialog = new frappe.ui.Dialog({
			// set_title inserts HTML: a name typed as JSON ("<img …>") is kept raw by the host
			title: __("Qualify {0}", [frappe.utils.escape_html(frm.doc.lead_name || frm.doc.name)]),
			fields: [
				{
					fieldname: "funnel",
					fieldtype: "Select",
					label: __("Sales Funnel for the Deal"),
					options: funnels.map((f) => f.name),
					default: preferred && preferred.name,
					reqd: 1,
					onchange: () => {
						const funnel = by_name[dialog.get_value("funnel")];
						dialog.set_df_property("stage", "options", ["", ...(funnel ? funnel.open_stages : [])]);
					},
				},
				{
					fieldname: "stage",
					fieldtype: "Select",
					label: __("Stage"),
					options: ["", ...(preferred ? preferred.open_stages : [])],
					description: __("Empty = the funnel's first stage."),
				},
			],
			primary_action_label: __("Qualify"),
			primary_action(values) {
				dialog.hide();
				frappe
					.xcall("funnel_suite.api.qualify_lead", {
						lead: frm.doc.name,
						funnel: values.funnel,
						stage: values.stage || null,
					})
					.then((result) => {
						frappe.show_alert({
							message: __("Customer {0} and deal {1} created", [
								frappe.utils.escape_html(result.customer),
								frappe.utils.escape_html(result.opportunity),
							]),
							indicator: "green",
						});
						frappe.set_route("Form", "Opportunity", result.opportunity);
					});
			},
		});
		dialog.show();
	});
}

function funnel_suite_disqualify(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Disqualify {0}", [frappe.utils.escape_html(frm.doc.lead_name || frm.doc.name)]),
		fields: [
			{
				fieldname: "reason",
				fieldtype: "Link",
				options: "Disqualification Reason",
				label: __("Reason"),
				reqd: 1,
				get_query: () => ({ filters: { enabled: 1 } }),
			},
			{ fieldname: "note", fieldtype: "Small Text", label: __("Note") },
			{
				fieldname: "target_for",
				fieldtype: "Link",
				options: "Item Group",
				label: __("Prospect For"),
				description: __("Not a target here, but a prospect for another product line: it joins the Cross-sell Leads list."),
			},
		],
		primary_action_label: __("Disqualify"),
		primary_action(values) {
			dialog.hide();
			frappe
				.xcall("funnel_suite.api.disqualify_lead", { lead: frm.doc.name, ...values })
				.then(() => frm.reload_doc());
		},
	});
	dialog.show();
}
