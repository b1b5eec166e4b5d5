// Create buttons of a procurement case: ERPNext's buying documents with the case set on them.
frappe.ui.form.on("Procurement Case", {
	refresh(frm) {
		if (frm.is_new() || !frm.has_perm("write")) return;
		const open = (method) => () =>
			frappe.model.open_mapped_doc({ method: `funnel_suite.api.${method}`, frm });
		frm.add_custom_button(
			__("Request for Quotation"),
			open("make_case_request_for_quotation"),
			__("Create")
		);
		frm.add_custom_button(
			__("Supplier Quotation"),
			open("make_case_supplier_quotation"),
			__("Create")
		);
		frm.add_custom_button(__("Purchase Order"), open("make_case_purchase_order"), __("Create"));
		frm.add_custom_button(
			__("Contract"),
			() =>
				frappe.new_doc("Contract", {
					party_type: "Supplier",
					party_name: frm.doc.supplier || "",
				}),
			__("Create")
		);
	},
});
