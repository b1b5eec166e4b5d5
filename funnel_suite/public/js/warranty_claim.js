// The guided warranty route panel on the Warranty Claim form: the current question with one button
// per answer (automatic checks have answered themselves on the server), the outcome once reached,
// and the decision path; a path answer can be changed, which re-routes the claim.
// Every value from the server is inserted as text (escape_html).

frappe.provide("funnel_suite.warranty");

funnel_suite.warranty.render = function (frm) {
	const field = frm.fields_dict.warranty_guide;
	if (!field) return;
	const box = $(field.wrapper).empty();
	if (frm.is_new() || !frm.doc.warranty_route) return;
	frappe
		.xcall("funnel_suite.api.get_warranty_state", { claim: frm.doc.name })
		.then((state) => funnel_suite.warranty.draw(frm, box, state));
};

funnel_suite.warranty.draw = function (frm, box, state) {
	const esc = frappe.utils.escape_html;
	const parts = ['<div class="warranty-guide" style="margin-bottom: var(--margin-md)">'];
	if (state.question) {
		parts.push(`<div class="text-muted small">${esc(__("Next question"))}</div>`);
		parts.push(`<div class="warranty-question" style="font-weight: 600">${esc(__(state.question))}</div>`);
		if (state.can_answer) {
			parts.push('<div class="warranty-answers" style="margin-top: var(--margin-sm)">');
			state.answers.forEach((answer, i) => {
				parts.push(
					`<button class="btn btn-sm btn-default warranty-answer" data-index="${cint(i)}" style="margin-right: 6px">${esc(
						__(answer)
					)}</button>`
				);
			});
			parts.push("</div>");
		}
	} else if (state.outcome) {
		parts.push(`<div class="text-muted small">${esc(__("Outcome"))}</div>`);
		parts.push(`<div class="warranty-outcome" style="font-weight: 600">${esc(__(state.outcome))}</div>`);
		if (state.explanation) parts.push(`<div class="warranty-explanation">${esc(__(state.explanation))}</div>`);
		if (state.funnel) {
			parts.push(
				`<div class="text-muted small">${esc(__("Branch funnel"))}: ${esc(__(state.funnel))} · ${esc(
					__(state.stage || "")
				)}</div>`
			);
		}
	}
	parts.push("</div>");
	box.html(parts.join(""));
	box.find(".warranty-answer").on("click", function () {
		const answer = state.answers[cint($(this).attr("data-index"))];
		funnel_suite.warranty.answer(frm, state.node, answer);
	});
};

funnel_suite.warranty.answer = function (frm, node, answer) {
	frappe
		.xcall("funnel_suite.api.answer_warranty_question", { claim: frm.doc.name, node, answer })
		.then(() => frm.reload_doc());
};

// "Change answer" on a row of the decision path: pick another answer of that question.
funnel_suite.warranty.change_answer = function (frm, row) {
	if (row.answered_by === "automatic") {
		frappe.msgprint(__("This step is an automatic check: it is answered from the claim's data."));
		return;
	}
	frappe.db.get_doc("Warranty Route", row.node).then((node) => {
		const options = (node.answers || []).map((a) => a.answer).filter((a) => a !== row.answer);
		const dialog = new frappe.ui.Dialog({
			title: __("Change answer"),
			fields: [
				{ fieldtype: "Small Text", fieldname: "question", label: __("Question"), read_only: 1, default: row.question },
				{ fieldtype: "Select", fieldname: "answer", label: __("New answer"), options, reqd: 1 },
			],
			primary_action_label: __("Change"),
			primary_action(values) {
				dialog.hide();
				funnel_suite.warranty.answer(frm, row.node, values.answer);
			},
		});
		dialog.show();
	});
};

// The branch's ERPNext documents: parts for a repair (Stock Entry), a refund (Sales Invoice return).
// ERPNext's own "Maintenance Visit" button makes the visit; the app links it to the claim.
funnel_suite.warranty.open_new = function (doc) {
	frappe.model.sync(doc);
	frappe.set_route("Form", doc.doctype, doc.name);
};

funnel_suite.warranty.add_document_buttons = function (frm) {
	if (frm.is_new() || frm.doc.docstatus !== 0) return;
	const outcome = frm.doc.warranty_outcome;
	if (["Repair", "Paid repair offer"].includes(outcome) && frappe.model.can_create("Stock Entry")) {
		frm.add_custom_button(
			__("Parts (Stock Entry)"),
			() =>
				frappe
					.xcall("funnel_suite.api.make_warranty_stock_entry", { claim: frm.doc.name })
					.then(funnel_suite.warranty.open_new),
			__("Create")
		);
	}
	if (outcome === "Refund" && frappe.model.can_create("Sales Invoice")) {
		frm.add_custom_button(
			__("Credit Note"),
			() => {
				const dialog = new frappe.ui.Dialog({
					title: __("Credit Note"),
					fields: [
						{
							fieldtype: "Link",
							fieldname: "sales_invoice",
							label: __("Sales Invoice"),
							options: "Sales Invoice",
							reqd: 1,
							get_query: () => ({
								filters: { customer: frm.doc.customer, docstatus: 1, is_return: 0 },
							}),
						},
					],
					primary_action_label: __("Create"),
					primary_action(values) {
						dialog.hide();
						frappe
							.xcall("funnel_suite.api.make_warranty_credit_note", {
								claim: frm.doc.name,
								sales_invoice: values.sales_invoice,
							})
							.then(funnel_suite.warranty.open_new);
					},
				});
				dialog.show();
			},
			__("Create")
		);
	}
};

frappe.ui.form.on("Warranty Claim", {
	refresh(frm) {
		funnel_suite.warranty.render(frm);
		if (!frm.is_new() && frm.doc.warranty_route && (frm.doc.warranty_decision_path || []).length) {
			frm.add_custom_button(
				__("Change an answer"),
				() => {
					const rows = (frm.doc.warranty_decision_path || []).filter((r) => r.answered_by !== "automatic");
					if (!rows.length) {
						frappe.msgprint(__("Every step so far was answered from the claim's data."));
						return;
					}
					const dialog = new frappe.ui.Dialog({
						title: __("Change an answer"),
						fields: [
							{
								fieldtype: "Select",
								fieldname: "step",
								label: __("Question"),
								options: rows.map((r, i) => ({ value: String(i), label: r.question || r.node })),
								reqd: 1,
							},
						],
						primary_action_label: __("Next"),
						primary_action(values) {
							dialog.hide();
							funnel_suite.warranty.change_answer(frm, rows[cint(values.step)]);
						},
					});
					dialog.show();
				},
				__("Warranty Route")
			);
		}
		funnel_suite.warranty.add_document_buttons(frm);
		frm.set_query("warranty_route", () => ({ filters: { parent_warranty_route: ["is", "not set"], is_active: 1 } }));
	},
	warranty_route(frm) {
		funnel_suite.warranty.render(frm);
	},
});
