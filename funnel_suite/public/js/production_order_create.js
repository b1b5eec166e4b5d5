// "Create → Production Order" on a submitted Sales Order and on an Opportunity (the server refuses
// a deal that is not won, naming its stage).
(() => {
	const add = (frm, method) => {
		if (frm.is_new() || !frappe.model.can_create("Production Order")) return;
		frm.add_custom_button(
			__("Production Order"),
			() => frappe.model.open_mapped_doc({ method: `funnel_suite.api.${method}`, frm }),
			__("Create")
		);
	};
	frappe.ui.form.on("Sales Order", {
		refresh(frm) {
			if (frm.doc.docstatus === 1 && frm.doc.status !== "Closed") {
				add(frm, "make_production_order_from_sales_order");
			}
		},
	});
	frappe.ui.form.on("Opportunity", {
		refresh(frm) {
			if (frm.doc.status !== "Lost" && frm.doc.status !== "Closed") {
				add(frm, "make_production_order_from_opportunity");
			}
		},
	});
})();
