// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Refusal Review", {
	refresh(frm) {
		frm.trigger("render_activity");
		const reviewer = frappe.user.has_role("Funnel Reviewer") || frappe.user.has_role("System Manager");
		if (frm.doc.status !== "Pending" || !reviewer) return;
		frm.add_custom_button(__("Verify"), () => frm.trigger("verify")).addClass("btn-primary");
		frm.add_custom_button(__("Return to Work"), () => frm.trigger("return_to_work"));
	},

	verify(frm) {
		const dialog = new frappe.ui.Dialog({
			title: __("Verify the Refusal"),
			fields: [
				{
					fieldname: "corrected_reason",
					fieldtype: "Link",
					options: "Opportunity Lost Reason",
					label: __("Corrected Reason"),
					description: __("Only if the calls and messages show another reason than the salesperson gave."),
				},
				{ fieldname: "note", fieldtype: "Small Text", label: __("Note") },
			],
			primary_action_label: __("Verify"),
			primary_action(values) {
				dialog.hide();
				frm.events.send(frm, { verdict: "Verified", ...values });
			},
		});
		dialog.show();
	},

	return_to_work(frm) {
		frappe.xcall("funnel_suite.api.get_funnels", { doctype: "Opportunity" }).then((funnels) => {
			const funnel = funnels.find((f) => f.name === frm.doc.deal_funnel);
			const dialog = new frappe.ui.Dialog({
				title: __("Return the Deal to Work"),
				fields: [
					{
						fieldname: "return_stage",
						fieldtype: "Select",
						label: __("Back to Stage"),
						options: funnel ? funnel.open_stages || funnel.stages : [],
						reqd: 1,
					},
					{
						fieldname: "note",
						fieldtype: "Small Text",
						label: __("Coaching Note"),
						reqd: 1,
						description: __("What the salesperson should do differently. They are notified."),
					},
				],
				primary_action_label: __("Return"),
				primary_action(values) {
					dialog.hide();
					frm.events.send(frm, { verdict: "Returned", ...values });
				},
			});
			dialog.show();
		});
	},

	send(frm, args) {
		frappe
			.xcall("funnel_suite.api.review_refusal", { review: frm.doc.name, ...args })
			.then(() => frm.reload_doc());
	},

	render_activity(frm) {
		if (frm.is_new()) return;
		const wrapper = frm.get_field("deal_activity").$wrapper;
		const esc = frappe.utils.escape_html;
		if (!frappe.model.can_read("Opportunity")) {
			// the deal's calls, emails and comments are for those who may read the deal itself
			wrapper.html(
				`<div class="text-muted small">${esc(
					__("The deal's activity is shown to users who may read Opportunities (a sales role).")
				)}</div>`
			);
			return;
		}
		frappe.xcall("funnel_suite.api.get_refusal_activity", { review: frm.doc.name }).then((data) => {
			const items = [
				...data.communications.map((c) => ({
					when: c.creation,
					what: `${esc(__(c.communication_medium || "Email"))} · ${esc(__(c.sent_or_received || ""))}`,
					who: c.sender,
					// html2text decodes entities: its text is escaped again, never inserted as HTML
					text: `<b>${esc(c.subject || "")}</b><div>${esc(frappe.utils.html2text(c.content || ""))}</div>`,
				})),
				...data.comments.map((c) => ({
					when: c.creation,
					what: __("Comment"),
					who: c.comment_email,
					text: esc(frappe.utils.html2text(c.content || "")),
				})),
				...data.moves.map((m) => ({
					when: m.moved_on,
					what: __("Move"),
					who: m.moved_by,
					text: `${esc(__(m.from_stage || ""))} → ${esc(__(m.to_stage))}${m.comment ? ": " + esc(m.comment) : ""}`,
				})),
			].sort((a, b) => (a.when < b.when ? 1 : -1));
			wrapper.html(
				items.length
					? `<div class="small">${items
							.map(
								(i) => `<div class="mb-3">
									<div class="text-muted">${frappe.datetime.str_to_user(i.when)} · ${esc(
									i.what
								)} · ${esc(i.who || "")}</div><div style="white-space: pre-wrap">${i.text}</div></div>`
							)
							.join("")}</div>`
					: `<div class="text-muted">${__("The deal has no calls, emails or comments.")}</div>`
			);
		});
	},
});
