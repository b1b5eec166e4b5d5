// Create buttons of a procurement case: ERPNext's buying documents with the case set on them.
// Each shows only to a user who may create that document (a Purchase User may not create an
// ERPNext Contract: that button is the Purchase Manager's).
frappe.ui.form.on("Procurement Case", {
	refresh(frm) {
		if (frm.is_new() || !frm.has_perm("write")) return;
		const mapped = [
			["Request for Quotation", "make_case_request_for_quotation"],
			["Supplier Quotation", "make_case_supplier_quotation"],
			["Purchase Order", "make_case_purchase_order"],
		];
		for (const [doctype, method] of mapped) {
			if (!frappe.model.can_create(doctype)) continue;
			frm.add_custom_button(
				__(doctype),
				() => frappe.model.open_mapped_doc({ method: `funnel_suite.api.${method}`, frm }),
				__("Create")
			);
		}
		if (frappe.model.can_create("Contract")) {
			frm.add_custom_button(
				__("Contract"),
				() =>
					frappe.new_doc("Contract", {
						party_type: "Supplier",
						party_name: frm.doc.supplier || "",
						procurement_case: frm.doc.name,
					}),
				__("Create")
			);
		}
	},
});
