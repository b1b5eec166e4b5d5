"""A static guard over the app's desk JavaScript: values that reach HTML are escaped.

The browser check opens the forms; this one fails fast on the two patterns that let a stored
value run in a reviewer's or an administrator's browser (issue 17, items 3 and 4):

* `frappe.utils.html2text(...)` decodes entities (`&lt;img …&gt;` becomes `<img …>`), so its
  result must be escaped again before it is inserted as HTML;
* a dialog title (`set_title` uses `.html()`) or an alert / message built with `__("… {0}", [...])`
  must escape every argument (or make it a number with `cint`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "funnel_suite"
JS_FILES = sorted(p for p in APP.rglob("*.js") if "node_modules" not in p.parts)
ESCAPES = ("esc(", "frappe.utils.escape_html(", "cint(", "flt(")
FORMATTED = re.compile(r"\b(title|message|subject):\s*__\(\s*\"(?:[^\"\\]|\\.)*\",\s*\[")


def _arguments(text: str, start: int) -> list[str]:
	"""The top-level comma-separated expressions of the array literal opening at text[start]."""
	depth, current, args = 0, [], []
	for char in text[start:]:
		if char in "([{":
			depth += 1
			if depth == 1:
				continue
		elif char in ")]}":
			depth -= 1
			if depth == 0:
				args.append("".join(current))
				break
		if depth == 1 and char == ",":
			args.append("".join(current))
			current = []
			continue
		current.append(char)
	return [a.strip() for a in args if a.strip()]


def test_there_is_javascript_to_check():
	assert any(p.name == "funnel_card.js" for p in JS_FILES)


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: str(p.relative_to(APP)))
def test_html2text_output_is_escaped(path):
	text = path.read_text(encoding="utf-8")
	for match in re.finditer(r"frappe\.utils\.html2text\(", text):
		before = text[max(0, match.start() - 30) : match.start()]
		assert before.rstrip().endswith(("esc(", "escape_html(")), (
			f"{path.name}: html2text() decodes entities; escape its result ({before!r})"
		)


@pytest.mark.parametrize("path", JS_FILES, ids=lambda p: str(p.relative_to(APP)))
def test_formatted_titles_and_messages_escape_their_arguments(path):
	text = path.read_text(encoding="utf-8")
	for match in FORMATTED.finditer(text):
		for arg in _arguments(text, match.end() - 1):
			assert arg.startswith(ESCAPES) or re.fullmatch(r"\d+", arg), (
				f"{path.name}: {match.group(1)} inserts {arg!r} as HTML; escape it"
			)


# query reports whose Data columns show what people typed (card titles, names, notes, UTM tags);
# the datatable inserts a Data cell as HTML, and the host keeps a value typed as JSON unsanitized
TYPED_TEXT_REPORTS = (
	"funnel_analytics/report/stale_cards/stale_cards.js",
	"funnel_qualification/report/cross_sell_leads/cross_sell_leads.js",
	"funnel_qualification/report/lead_source_quality/lead_source_quality.js",
)


SHARED_FORMATTER = "formatter: funnel_suite.reports.escape_data_cells,"
REPORT_SCRIPTS = sorted(APP.glob("*/report/*/*.js"))


@pytest.mark.parametrize("relative", TYPED_TEXT_REPORTS)
def test_reports_escape_typed_text_in_data_cells(relative):
	text = (APP / relative).read_text(encoding="utf-8")
	assert SHARED_FORMATTER in text or re.search(
		r'column\.fieldtype === "Data"[^}]*value = frappe\.utils\.escape_html\(value\)', text
	), f"{relative}: escape Data cells in the report's formatter"


@pytest.mark.parametrize("path", REPORT_SCRIPTS, ids=lambda p: str(p.relative_to(APP)))
def test_reports_using_the_shared_filters_escape_with_the_shared_formatter(path):
	"""A report built from funnel_suite.reports (the domains' newer reports: company, customer,
	supplier and funnel filters) also takes its escaping formatter, unless it has its own."""
	text = path.read_text(encoding="utf-8")
	if "funnel_suite.reports." in text and "formatter(" not in text:
		assert SHARED_FORMATTER in text, f"{path.name}: use funnel_suite.reports.escape_data_cells"


REPORTS_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#x60;", "=": "&#x3D;" };
const frappe = {
	provide(path) {
		let at = this.__root;
		for (const part of path.split(".")) at = at[part] = at[part] || {};
	},
	query_reports: {},
	defaults: { get_user_default: (key) => (key === "Company" ? "Home Co" : null) },
	datetime: { get_today: () => "2026-12-02", add_months: (d, n) => `${d}${n}m` },
	utils: { escape_html: (t) => (t ? String(t).replace(/[&<>"'`=]/g, (c) => map[c]) : "") },
};
const root = { frappe, __: (s) => `T(${s})` };
frappe.__root = root;
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), root);
vm.runInNewContext(fs.readFileSync(process.argv[3], "utf8"), root);
const report = Object.values(frappe.query_reports)[0];
const plain = (value) => `[${value}]`;
console.log(JSON.stringify({
	filters: report.filters,
	data: report.formatter("<img src=x onerror=alert(1)>", 0, { fieldtype: "Data" }, {}, plain),
	link: report.formatter("<b>", 0, { fieldtype: "Link" }, {}, plain),
	number: report.formatter(5, 0, { fieldtype: "Data" }, {}, plain),
}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_shared_report_filters_and_formatter(tmp_path):
	harness = tmp_path / "harness.js"
	harness.write_text(REPORTS_HARNESS, encoding="utf-8")
	script = APP / "funnel_procurement/report/procurement_lead_time/procurement_lead_time.js"
	out = subprocess.run(
		["node", str(harness), str(APP / "public/js/funnel_reports.js"), str(script)],
		capture_output=True,
		text=True,
		check=True,
	)
	result = json.loads(out.stdout)
	by_name = {f["fieldname"]: f for f in result["filters"]}
	assert list(by_name) == ["company", "supplier", "from_date", "to_date", "periodicity"]
	assert by_name["company"] == {
		"fieldname": "company",
		"label": "T(Company)",
		"fieldtype": "Link",
		"options": "Company",
		"reqd": 1,
		"default": "Home Co",
	}
	assert by_name["supplier"]["options"] == "Supplier"
	assert by_name["from_date"]["label"] == "T(Ordered From)"
	assert by_name["from_date"]["default"] == "2026-12-02-12m"
	assert by_name["to_date"]["default"] == "2026-12-02"
	assert [o["value"] for o in by_name["periodicity"]["options"]] == ["Monthly", "Quarterly", "Yearly"]
	# typed text in a Data cell reaches the standard formatter escaped; other cells as they are
	assert result["data"] == "[&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;]"
	assert result["link"] == "[<b>]"
	assert result["number"] == "[5]"


KANBAN_HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const map = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#x60;", "=": "&#x3D;" };
const frappe = {
	views: {},
	boot: { funnel_document_types: ["Lead", "Opportunity"] },
	listview_settings: {},
	utils: { escape_html: (t) => (t ? String(t).replace(/[&<>"'`=]/g, (c) => map[c]) : "") },
};
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), { frappe });
const seen = [];
// the host's bundle defines the renderer after the list settings have loaded
frappe.views.KanbanBoardCard = function (card) {
	seen.push({ title: card.title, name: card.name });
	card.assigned_list = ["someone"];
};
const lead = { doctype: "Lead", name: "L-1", title: "&lt;img src=x onerror=alert(1)&gt;" };
const todo = { doctype: "ToDo", name: "T-1", title: "&lt;b&gt;" };
frappe.views.KanbanBoardCard(lead, null);
frappe.views.KanbanBoardCard(todo, null);
console.log(JSON.stringify({ seen, assigned: lead.assigned_list, stored: lead.title }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_kanban_cards_of_funnel_doctypes_get_their_title_escaped_twice(tmp_path):
	harness = tmp_path / "harness.js"
	harness.write_text(KANBAN_HARNESS, encoding="utf-8")
	out = subprocess.run(
		["node", str(harness), str(APP / "public/js/funnel_list.js")],
		capture_output=True,
		text=True,
		check=True,
	)
	result = json.loads(out.stdout)
	typed = "&lt;img src=x onerror=alert(1)&gt;"
	once = typed.replace("&", "&amp;").replace("=", "&#x3D;")
	twice = once.replace("&", "&amp;")
	# html2text() decodes one level: what reaches the card's HTML is `once`, shown as `typed`
	assert result["seen"][0] == {"title": twice, "name": "L-1"}
	assert result["seen"][1] == {"title": "&lt;b&gt;", "name": "T-1"}  # other doctypes: the host's way
	assert result["stored"] == typed  # the board's own card data is not changed
	assert result["assigned"] == ["someone"]  # writes reach the card
