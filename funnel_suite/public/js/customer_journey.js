// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

// The customer journey on the Customer form: every card of the customer in every funnel, with
// its stage, days there, next action, owner and last touch; a warning when the customer has
// gone silent for longer than a stage allows.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		const field = frm.fields_dict.funnel_journey;
		if (!field || frm.is_new()) return;
		field.$wrapper.html(`<div class="text-muted small">${__("Loading the journey…")}</div>`);
		frappe
			.call("funnel_suite.api.get_customer_journey", { customer: frm.doc.name })
			.then(({ message }) => funnel_suite_render_journey(frm, field.$wrapper, message))
			.catch(() => field.$wrapper.html(""));
	},
});

function funnel_suite_render_journey(frm, $wrapper, journey) {
	const esc = frappe.utils.escape_html;
	if (!journey || !journey.cards.length) {
		$wrapper.html(
			`<div class="text-muted">${__("This customer has no cards in any funnel yet.")}</div>`,
		);
		return;
	}
	const silent = journey.cards.filter((card) => card.silent);
	if (silent.length) {
		frm.dashboard.set_headline_alert(
			__("No touch for {0} days on {1}: the customer has gone silent.", [
				Math.max(...silent.map((card) => card.silent_days || 0)),
				silent.map((card) => esc(card.title || card.name)).join(", "),
			]),
			"orange",
		);
	}
	const rows = journey.cards
		.map((card) => {
			const link = `/app/${frappe.router.slug(card.doctype)}/${encodeURIComponent(card.name)}`;
			const warning = card.silent
				? ` <span class="indicator-pill orange" title="${esc(
						__("No touch for longer than the stage allows ({0} days)", [card.stale_after_days]),
					)}">${__("Silent {0} d", [card.silent_days])}</span>`
				: "";
			return `<tr>
				<td><a href="${link}">${esc(card.title || card.name)}</a>
					<div class="text-muted small">${esc(__(card.doctype))} ${esc(card.name)}</div></td>
				<td>${esc(card.funnel)}</td>
				<td><span class="indicator-pill ${card.indicator}">${esc(card.stage || "")}</span>${warning}</td>
				<td class="text-right">${card.days_in_stage == null ? "" : card.days_in_stage}</td>
				<td>${esc(card.next_action || "")}</td>
				<td>${esc(frappe.user.full_name(card.owner) || card.owner || "")}</td>
				<td>${card.last_touch ? frappe.datetime.comment_when(card.last_touch) : __("Never")}</td>
			</tr>`;
		})
		.join("");
	$wrapper.html(`
		<div class="funnel-journey">
			<p class="text-muted small">${__("{0} open card(s). Last touch: {1}.", [
				journey.open_cards,
				journey.last_touch ? frappe.datetime.comment_when(journey.last_touch) : __("never"),
			])}</p>
			<table class="table table-bordered table-sm">
				<thead><tr>
					<th>${__("Card")}</th><th>${__("Funnel")}</th><th>${__("Stage")}</th>
					<th class="text-right">${__("Days in Stage")}</th><th>${__("Next Action")}</th>
					<th>${__("Owner")}</th><th>${__("Last Touch")}</th>
				</tr></thead>
				<tbody>${rows}</tbody>
			</table>
		</div>`);
}
