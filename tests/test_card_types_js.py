"""public/js/funnel_card_types.js (app_include_js) under node with a stub of the desk: the card
doctypes added in Funnel Settings get the stage bar's form handlers once, their list settings keep
the funnel fields when the doctype's own list script assigns its settings later, and funnel_card.js
loaded afterwards (a hook-declared card's doctype_js) registers none of them again."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "funnel_suite"

HARNESS = r"""
const fs = require("fs");
const [typesJs, cardJs, settingsDoctypes] = process.argv.slice(2);
global.window = global;
global.document = { getElementById: () => true };
global.__ = (s) => s;
const required = [];
global.frappe = {
	boot: {
		funnel_settings_document_types: JSON.parse(settingsDoctypes),
		funnel_document_types: ["Lead", "Opportunity", ...JSON.parse(settingsDoctypes)],
	},
	provide(ns) {
		let o = global;
		for (const part of ns.split(".")) o = o[part] = o[part] || {};
	},
	ui: { form: { handlers: {}, on(doctype, h) { (this.handlers[doctype] = this.handlers[doctype] || []).push(h); } } },
	listview_settings: { Issue: { add_fields: ["priority"] } },
	require(path) {
		required.push(path);
		return Promise.resolve();
	},
};
eval(fs.readFileSync(typesJs, "utf8"));
// the doctype's own list script (ERPNext's issue_list.js) assigns its settings afterwards
frappe.listview_settings["Issue"] = { add_fields: ["status"], get_indicator() {} };
const rendered = [];
// a hook-declared card's form loads funnel_card.js (doctype_js): it registers the boot doctypes
eval(fs.readFileSync(cardJs, "utf8"));
funnel_suite.card.render = (frm) => rendered.push(frm.doctype);
const handlers = frappe.ui.form.handlers;
(handlers.Issue || []).forEach((h) => h.refresh({ doctype: "Issue" }));
setTimeout(() => {
	console.log(JSON.stringify({
		handlers: Object.fromEntries(Object.entries(handlers).map(([d, hs]) => [d, hs.length])),
		issue_fields: frappe.listview_settings.Issue.add_fields,
		issue_indicator: typeof frappe.listview_settings.Issue.get_indicator,
		required: [...new Set(required)],
		rendered,
	}));
}, 10);
"""


def run(tmp_path, settings_doctypes):
	harness = tmp_path / "harness.js"
	harness.write_text(HARNESS, encoding="utf-8")
	out = subprocess.run(
		[
			"node",
			str(harness),
			str(APP / "public/js/funnel_card_types.js"),
			str(APP / "public/js/funnel_card.js"),
			json.dumps(settings_doctypes),
		],
		capture_output=True,
		text=True,
		check=True,
	)
	return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_settings_card_doctypes_get_the_stage_bar_once_and_keep_the_list_fields(tmp_path):
	result = run(tmp_path, ["Issue"])
	# one set of form handlers per card doctype, also after funnel_card.js ran for Lead
	assert result["handlers"] == {"Issue": 1, "Lead": 1, "Opportunity": 1}
	assert result["issue_fields"] == ["status", "funnel", "funnel_stage", "funnel_stale"]
	assert result["issue_indicator"] == "function"  # the host's own list settings stay
	assert result["required"] == [
		"/assets/funnel_suite/js/funnel_list.js",
		"/assets/funnel_suite/js/funnel_card.js",
	]
	assert result["rendered"] == ["Issue"]  # the form's refresh draws the stage bar


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_without_settings_card_doctypes_the_script_does_nothing(tmp_path):
	result = run(tmp_path, [])
	assert result["handlers"] == {"Lead": 1, "Opportunity": 1}  # funnel_card.js's own, as before
	assert result["issue_fields"] == ["status"]
	assert result["required"] == []
