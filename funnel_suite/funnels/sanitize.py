"""Text the app writes around Document.save() gets the host's sanitizer all the same.

The move log is written with one INSERT, intake ids and contact keys with bulk inserts, smart
tasks with db_insert and planned contacts with db.set_value: none of these runs the host's
`BaseDocument._sanitize_content`, which is what keeps a typed `<img src=x onerror=…>` from
becoming live HTML in the desk. `sanitized()` runs exactly that host function on the values
(in a document of the target doctype that is never saved), so each field is treated as the
host treats its type: Data / Small Text / Text / Text Editor through `sanitize_html`, Code,
Attach, email fields and fields with *Ignore XSS Filter* left as typed.

One stricter rule: the host leaves a value that parses as JSON untouched (a name typed as
`"<img src=x onerror=…>"` with the quotes), and the desk shows Small Text / Text / Text Editor
values as HTML. In those field types such a value is sanitized as well (`sanitize_html(...,
always_sanitize=True)`): the markup goes, the text stays. Data fields are escaped by the desk
when shown, so they keep the host's behaviour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import frappe
from frappe.utils.html_utils import is_json, sanitize_html

# field types the desk shows as HTML (read-only forms, grid cells): markup in them must be inert
HTML_SHOWN = frozenset({"Small Text", "Text", "Long Text", "Text Editor", "HTML Editor"})


def _looks_like_html(value: Any) -> bool:
	# the host's own test in _sanitize_content: no angle bracket, nothing to sanitize
	return isinstance(value, str) and ("<" in value or ">" in value)


def sanitized(doctype: str, values: Mapping[str, Any]) -> dict[str, Any]:
	"""`values` (fieldname → value) as Document.save() of `doctype` would store them."""
	out = dict(values)
	texts = {field: value for field, value in values.items() if _looks_like_html(value)}
	if not texts:
		return out
	doc = frappe.get_doc({"doctype": doctype, **texts})
	doc._sanitize_content()  # the host's sanitizer, field type by field type
	meta = frappe.get_meta(doctype)
	for field in texts:
		out[field] = _json_markup(meta.get_field(field), doc.get(field))
	return out


def sanitized_value(doctype: str, field: str, value: Any) -> Any:
	return sanitized(doctype, {field: value})[field] if _looks_like_html(value) else value


def _json_markup(df, value: Any) -> Any:
	if (
		df is not None
		and df.fieldtype in HTML_SHOWN
		and not df.get("ignore_xss_filter")
		and _looks_like_html(value)
		and is_json(value)
	):
		return sanitize_html(value, always_sanitize=True, linkify=df.fieldtype == "Text Editor")
	return value


def _own(meta) -> bool:
	return frappe.local.module_app.get(frappe.scrub(meta.module or "")) == "funnel_suite"


def sanitize_json_markup(doc, method=None) -> None:
	"""doc_events `*` validate: the stricter JSON rule above for text saved through
	Document.save() (the host sanitizes the rest right after validate), in the app's own doctypes
	and in the app's `funnel_*` fields of host doctypes. A Funnel's description, a rule's note, a
	review's lost detail, a lead's need are read by users who may not edit them, in read-only
	fields the desk shows as HTML."""
	for row in (doc, *doc.get_all_children()):
		for df in _checked_fields(row.meta):
			value = row.get(df.fieldname)
			cleaned = _json_markup(df, value)
			if cleaned != value:
				row.set(df.fieldname, cleaned)


def _checked_fields(meta) -> tuple:
	"""The fields the hook looks at, worked out once per meta object: it runs on every save of
	every doctype of the site, most of which have none."""
	fields = getattr(meta, "_funnel_json_markup_fields", None)
	if fields is None:
		own = _own(meta)
		fields = tuple(
			df
			for df in meta.fields
			if df.fieldtype in HTML_SHOWN and (own or df.fieldname.startswith("funnel_"))
		)
		meta._funnel_json_markup_fields = fields
	return fields
