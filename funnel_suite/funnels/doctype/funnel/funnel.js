// Copyright (c) 2026, funnel_suite developers
// License: MIT. See license.txt

frappe.ui.form.on("Funnel", {
	setup(frm) {
		frm.set_query("document_type", () => ({
			filters: { name: ["in", frappe.boot.funnel_document_types || ["Lead", "Opportunity"]] },
		}));
	},

	refresh(frm) {
		frm.trigger("render_preview");
		if (!frm.is_new() && frm.doc.kanban_board) {
			frm.add_custom_button(__("Kanban Board"), () => {
				frappe.set_route(
					"List",
					frm.doc.document_type,
					"Kanban",
					frm.doc.kanban_board
				);
			});
			frm.add_custom_button(__("Cards"), () => {
				frappe.set_route("List", frm.doc.document_type, { funnel: frm.doc.name });
			});
			frm.add_custom_button(__("Stale Cards"), () => {
				frappe.set_route("List", frm.doc.document_type, {
					funnel: frm.doc.name,
					funnel_stale: ["is", "set"],
				});
			});
			frm.add_custom_button(__("Move Log"), () => {
				frappe.set_route("List", "Funnel Transition", { funnel: frm.doc.name });
			});
		}
	},

	render_preview(frm) {
		const wrapper = frm.get_field("stage_preview").$wrapper;
		const esc = frappe.utils.escape_html;
		const colours = { Open: "blue", Won: "green", Lost: "red" };
		const stages = frm.doc.stages || [];
		const entry = stages.find((s) => s.stage_type === "Open");
		const pills = stages
			.map((s) => {
				const colour = (s.indicator || colours[s.stage_type] || "gray").toLowerCase().replace(" ", "-");
				const next = (s.allowed_next || "")
					.split(/[\n,;]+/)
					.map((n) => n.trim())
					.filter(Boolean);
				return `<div class="funnel-preview-stage">
					<span class="indicator-pill ${esc(colour)}">${esc(s.stage_name || __("(no name)"))}</span>
					<div class="small text-muted">
						${esc(__(s.stage_type || "Open"))}${s.probability ? ` · ${cint(s.probability)}%` : ""}
						${s === entry ? ` · <b>${__("entry")}</b>` : ""}
						${s.stale_after_days ? ` · ${__("stale after {0}d", [cint(s.stale_after_days)])}` : ""}
					</div>
					${next.length ? `<div class="small text-muted">→ ${next.map(esc).join(", ")}</div>` : ""}
				</div>`;
			})
			.join('<span class="funnel-preview-arrow text-muted">›</span>');
		wrapper.html(`
			<div class="funnel-preview">${pills || `<span class="text-muted">${__("Add stages to see the funnel.")}</span>`}</div>
			<div class="funnel-preview-problems"></div>
			<style>
				.funnel-preview { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 8px; }
				.funnel-preview-stage { min-width: 110px; }
				.funnel-preview-arrow { font-size: 1.4em; line-height: 1; }
			</style>`);
		frm.trigger("check_definition");
	},

	check_definition(frm) {
		if (!frm.doc.stages || !frm.doc.stages.length) return;
		clearTimeout(frm.__funnel_check);
		frm.__funnel_check = setTimeout(() => {
			frappe
				.xcall("funnel_suite.funnels.doctype.funnel.funnel.check_definition", {
					doc: JSON.stringify(frm.doc),
				})
				.then(({ problems, findings }) => {
					const box = frm.get_field("stage_preview").$wrapper.find(".funnel-preview-problems");
					const labels = { error: __("Error"), warning: __("Warning"), hint: __("Hint") };
					let html = "";
					if (problems.length) {
						html += `<div class="alert alert-danger small mt-3">
							<b>${__("This funnel cannot be saved yet")}:</b>
							<ul class="mb-0">${problems.map((p) => `<li>${p}</li>`).join("")}</ul>
						</div>`;
					}
					if (findings.length) {
						html += `<div class="alert ${
							findings.some((f) => f.severity !== "hint") ? "alert-warning" : "alert-info"
						} small mt-3">
							<b>${__("Funnel Design Audit")}:</b>
							<ul class="mb-0">${findings
								.map((f) => `<li><b>${labels[f.severity]}</b>: ${f.message}</li>`)
								.join("")}</ul>
						</div>`;
					}
					box.html(html);
				});
		}, 400);
	},

	validate(frm) {
		frm.trigger("check_definition");
	},
});

frappe.ui.form.on("Funnel Stage", {
	stage_name: (frm) => frm.trigger("render_preview"),
	stage_type: (frm) => frm.trigger("render_preview"),
	probability: (frm) => frm.trigger("render_preview"),
	allowed_next: (frm) => frm.trigger("render_preview"),
	stale_after_days: (frm) => frm.trigger("render_preview"),
	indicator: (frm) => frm.trigger("render_preview"),
	stages_add: (frm) => frm.trigger("render_preview"),
	stages_remove: (frm) => frm.trigger("render_preview"),
	stages_move: (frm) => frm.trigger("render_preview"),
});
