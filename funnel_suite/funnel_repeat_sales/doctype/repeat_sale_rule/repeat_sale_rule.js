frappe.ui.form.on("Repeat Sale Rule", {
	setup(frm) {
		const opportunity_funnels = () => ({
			filters: { document_type: "Opportunity", enabled: 1 },
		});
		frm.set_query("opportunity_funnel", opportunity_funnels);
		frm.set_query("move_deal_to_funnel", opportunity_funnels);
	},
	move_deal_to_funnel(frm) {
		frm.set_value("move_deal_to_stage", "");
		frm.trigger("suggest_stages");
	},
	refresh(frm) {
		frm.trigger("suggest_stages");
	},
	suggest_stages(frm) {
		const field = frm.get_field("move_deal_to_stage");
		if (!frm.doc.move_deal_to_funnel || !field) return;
		frappe.db.get_doc("Funnel", frm.doc.move_deal_to_funnel).then((funnel) => {
			const stages = (funnel.stages || [])
				.filter((s) => s.stage_type !== "Lost")
				.map((s) => s.stage_name);
			field.set_data(stages);
			frm.set_df_property(
				"move_deal_to_stage",
				"description",
				__("Stages of {0}: {1}. Blank = its entry stage.", [
					frappe.utils.escape_html(funnel.name),
					stages.map((s) => frappe.utils.escape_html(s)).join(", "),
				])
			);
		});
	},
});
