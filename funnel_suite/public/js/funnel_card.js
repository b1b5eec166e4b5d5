// Stage bar and move history on the forms of cards (Lead, Opportunity, …).
// Loaded through `doctype_js` for each card doctype; registers its handlers once per doctype.

frappe.provide("funnel_suite.card");

funnel_suite.card.INDICATOR = { Open: "blue", Won: "green", Lost: "red" };

funnel_suite.card.format_duration = function (seconds) {
	seconds = cint(seconds);
	if (seconds < 60) return __("{0}s", [seconds]);
	const days = Math.floor(seconds / 86400);
	const hours = Math.floor((seconds % 86400) / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	if (days) return hours ? __("{0}d {1}h", [days, hours]) : __("{0}d", [days]);
	if (hours) return minutes ? __("{0}h {1}m", [hours, minutes]) : __("{0}h", [hours]);
	return __("{0}m", [minutes]);
};

// The stage bar sits above the form's tabs, so it is visible whichever tab is open.
funnel_suite.card.container = function (frm) {
	let box = frm.layout.wrapper.children(".funnel-card-head");
	if (!box.length) {
		box = $('<div class="funnel-card-head"></div>').prependTo(frm.layout.wrapper);
	}
	return box;
};

funnel_suite.card.render = function (frm) {
	funnel_suite.card.container(frm).empty();
	if (frm.is_new() || !frm.fields_dict.funnel) return;
	frappe
		.xcall("funnel_suite.api.get_card_state", { doctype: frm.doctype, name: frm.doc.name })
		.then((state) => {
			frm.__funnel_state = state;
			funnel_suite.card.restrict_stage_options(frm, state.stages.map((s) => s.name));
			if (!state.show_stage_bar || !state.funnel) return;
			funnel_suite.card.render_bar(frm, state);
			funnel_suite.card.render_history(frm, state);
		});
};

funnel_suite.card.restrict_stage_options = function (frm, names) {
	if (!names || !names.length) return;
	frm.set_df_property("funnel_stage", "options", names.join("\n"));
};

funnel_suite.card.render_bar = function (frm, state) {
	const esc = frappe.utils.escape_html;
	const allowed = new Set(state.allowed_next || []);
	const pills = state.stages
		.map((stage) => {
			const colour = funnel_suite.card.INDICATOR[stage.kind] || "gray";
			const movable = state.can_move && allowed.has(stage.name) && stage.role_allowed;
			const classes = [
				"funnel-stage",
				stage.current ? "funnel-stage-current" : movable ? "funnel-stage-movable" : "funnel-stage-muted",
			].join(" ");
			const title = stage.current
				? __("Current stage")
				: movable
				? __("Move the card to {0}", [stage.label])
				: stage.role_allowed
				? __("Not allowed from the current stage")
				: __("Your role may not move cards into this stage");
			return `<button type="button" class="btn btn-xs ${classes}" data-stage="${esc(stage.name)}"
				title="${esc(title)}" ${movable || stage.current ? "" : "disabled"}>
				${stage.current ? "✓" : ""}
				<span class="indicator-pill ${colour} no-indicator-dot">${esc(stage.label)}</span>
				${stage.probability ? `<small class="text-muted">${cint(stage.probability)}%</small>` : ""}
			</button>`;
		})
		.join('<span class="funnel-stage-arrow text-muted">›</span>');

	const current = state.stages.find((s) => s.current);
	const facts = [];
	if (state.days_in_stage !== undefined) {
		facts.push(__("In this stage for {0} day(s)", [state.days_in_stage]));
	}
	if (state.stale) {
		facts.push(
			`<span class="text-danger">${__("Stale: longer than {0} day(s)", [
				cint(current.stale_after_days),
			])}</span>`
		);
	}
	if (current && current.next_action) {
		facts.push(`${__("Next action")}: <b>${esc(__(current.next_action))}</b>`);
	}
	if (!state.enabled) facts.push(`<span class="text-warning">${__("This funnel is disabled")}</span>`);
	const link = (card) =>
		`<a href="/app/${frappe.router.slug(card.doctype)}/${encodeURIComponent(card.name)}">${esc(
			card.name
		)}</a> <span class="text-muted">(${esc(card.funnel || "")}: ${esc(__(card.funnel_stage || ""))})</span>`;
	const lineage = state.lineage || {};
	if (lineage.source) facts.push(`${__("Handed off from")} ${link(lineage.source)}`);
	if (lineage.handed_off && lineage.handed_off.length) {
		facts.push(`${__("Handed off to")} ${lineage.handed_off.map(link).join(", ")}`);
	}

	const history = state.history && state.history.length;
	const bar = $(`<div class="funnel-stage-bar">
			<div class="funnel-stage-title text-muted small">${__("Funnel")}: <b>${esc(state.funnel)}</b>
				${history ? `· <a class="funnel-history-toggle">${__("Move History")} (${state.history.length})</a>` : ""}
			</div>
			<div class="funnel-stages">${pills}</div>
			<div class="funnel-stage-facts small text-muted">${facts.join(" · ")}</div>
			<div class="funnel-history-box" style="display: none"></div>
		</div>`);
	funnel_suite.card.container(frm).empty().append(bar);
	bar.find(".funnel-stage-movable").on("click", function () {
		const name = $(this).attr("data-stage");
		const stage = state.stages.find((s) => s.name === name);
		funnel_suite.card.ask_and_move(frm, name, frm.doctype === "Opportunity" && stage && stage.kind === "Lost");
	});
	bar.find(".funnel-history-toggle").on("click", () => bar.find(".funnel-history-box").toggle());
	if (frm.doctype === "Opportunity" && current && current.kind === "Won" && frappe.model.can_create("Opportunity")) {
		frm.add_custom_button(__("Upsell"), () => {
			frappe
				.xcall("funnel_suite.api.make_upsell", { opportunity: frm.doc.name })
				.then((name) => frappe.set_route("Form", "Opportunity", name));
		});
	}
};

funnel_suite.card.ask_and_move = function (frm, stage, lost) {
	if (frm.is_dirty()) {
		frappe.msgprint(__("Save your changes first, then move the card."));
		return;
	}
	const lost_fields = lost
		? [
				{
					fieldname: "lost_reasons",
					fieldtype: "MultiSelectList",
					label: __("Lost Reasons"),
					reqd: 1,
					get_data: (txt) =>
						frappe.db.get_link_options("Opportunity Lost Reason", txt),
				},
				{ fieldname: "lost_detail", fieldtype: "Small Text", label: __("Detailed Reason") },
				{
					fieldname: "wake_up_on",
					fieldtype: "Date",
					label: __("Wake Up On"),
					description: __(
						"For a not-now loss: the day the deal comes back from Deferred Demand. Empty = the default from Funnel Settings."
					),
				},
		  ]
		: [];
	const dialog = new frappe.ui.Dialog({
		title: __("Move to {0}", [frappe.utils.escape_html(__(stage))]), // set_title inserts HTML
		fields: [
			...lost_fields,
			{
				fieldname: "comment",
				fieldtype: "Small Text",
				label: __("Comment"),
				description: __("Optional: why the card moves. It is kept in the move history."),
			},
		],
		// with a context: the host's own "Move" reads «крок» ("step") in Ukrainian
		primary_action_label: __("Move", null, "Funnel Stage Bar"),
		primary_action(values) {
			dialog.hide();
			frappe
				.xcall("funnel_suite.api.move_card", {
					doctype: frm.doctype,
					name: frm.doc.name,
					stage: stage,
					comment: values.comment || null,
					lost_reasons: values.lost_reasons || null,
					lost_detail: values.lost_detail || null,
					wake_up_on: values.wake_up_on || null,
				})
				.then((result) => {
					if (result.moved) {
						frappe.show_alert({
							message: __("Moved from {0} to {1}", [
								frappe.utils.escape_html(__(result.from_stage || "")),
								frappe.utils.escape_html(__(result.to_stage)),
							]),
							indicator: "green",
						});
					}
					frm.reload_doc();
				});
		},
	});
	dialog.show();
};

funnel_suite.card.render_history = function (frm, state) {
	if (!state.history || !state.history.length) return;
	const esc = frappe.utils.escape_html;
	const rows = state.history
		.map(
			(row) => `<tr>
				<td>${frappe.datetime.comment_when(row.moved_on)}</td>
				<td>${esc(frappe.user.full_name(row.moved_by))}</td>
				<td>${row.from_stage ? esc(__(row.from_stage)) : `<i>${__("entered the funnel")}</i>`}</td>
				<td>${esc(__(row.to_stage))}${
				row.from_funnel ? ` <small class="text-muted">(${esc(row.funnel)})</small>` : ""
			}</td>
				<td>${row.from_stage ? funnel_suite.card.format_duration(row.seconds_in_from_stage) : ""}</td>
				<td>${esc(row.comment || "")}</td>
			</tr>`
		)
		.join("");
	const html = `<div class="funnel-move-history table-responsive">
		<table class="table table-sm table-hover small">
			<thead><tr>
				<th>${__("When")}</th><th>${__("Who")}</th><th>${__("From")}</th>
				<th>${__("To")}</th><th>${__("Time in From Stage")}</th><th>${__("Comment")}</th>
			</tr></thead>
			<tbody>${rows}</tbody>
		</table></div>`;
	funnel_suite.card.container(frm).find(".funnel-history-box").html(html);
};

funnel_suite.card.on_funnel_change = function (frm) {
	if (!frm.doc.funnel) return;
	frappe.xcall("funnel_suite.api.get_funnels", { doctype: frm.doctype }).then((funnels) => {
		const funnel = funnels.find((f) => f.name === frm.doc.funnel);
		if (!funnel) return;
		funnel_suite.card.restrict_stage_options(frm, funnel.stages);
		if (!funnel.stages.includes(frm.doc.funnel_stage)) {
			// the entry stage: another one is for Funnel Managers (the server checks)
			frm.set_value("funnel_stage", (funnel.open_stages || [])[0] || funnel.stages[0]);
		}
	});
};

funnel_suite.card.register = function (doctype) {
	funnel_suite.card.registered = funnel_suite.card.registered || {};
	if (funnel_suite.card.registered[doctype]) return;
	funnel_suite.card.registered[doctype] = true;
	frappe.ui.form.on(doctype, {
		refresh: funnel_suite.card.render,
		funnel: funnel_suite.card.on_funnel_change,
	});
};

(frappe.boot.funnel_document_types || ["Lead", "Opportunity"]).forEach(funnel_suite.card.register);

if (!document.getElementById("funnel-suite-card-style")) {
	$(`<style id="funnel-suite-card-style">
		.funnel-card-head { padding: var(--padding-md) var(--padding-lg) 0; }
		.funnel-stage-bar { border-bottom: 1px solid var(--border-color); padding-bottom: var(--padding-sm); }
		.funnel-history-toggle { cursor: pointer; }
		.funnel-history-box { margin-top: var(--margin-sm); }
		.funnel-stages { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; margin: 6px 0; }
		.funnel-stage { border: 1px solid var(--border-color); background: var(--card-bg); }
		.funnel-stage-muted { opacity: .55; }
		.funnel-stage-movable:hover { border-color: var(--primary); }
		.funnel-stage-current { border: 2px solid var(--text-color); font-weight: 600; cursor: default; }
		.funnel-stage-arrow { font-size: 1.1em; }
	</style>`).appendTo("head");
}
