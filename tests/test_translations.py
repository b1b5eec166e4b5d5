"""Every user-facing string of the app ships in Russian and Ukrainian, placeholders intact."""

import ast
import json
import re
from pathlib import Path

import pytest

from funnel_suite.workflows import list_presets, load_preset
from funnel_suite.workflows.babel import preset_strings

LOCALE = Path(__file__).resolve().parent.parent / "funnel_suite" / "locale"
PLACEHOLDER = re.compile(r"\{\d*\}")
IDENTIFIER = re.compile(r"[a-z_]+")


def _unquote(text: str) -> str:
	return bytes(text[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _entry_key(current: dict[str, str]) -> str:
	if "msgctxt" in current:
		return f"{current['msgctxt']}\x04{current['msgid']}"  # gettext's context separator
	return current["msgid"]


def read_po(path: Path) -> dict[str, str]:
	"""msgid -> msgstr of a .po/.pot file (enough of the format for the files babel writes); an
	entry with a context is keyed "context\x04msgid" (see in_context)."""
	entries: dict[str, str] = {}
	current: dict[str, str] = {}
	key = None
	for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
		line = line.strip()
		if line.startswith(("msgid ", "msgstr ", "msgctxt ")):
			key, _, rest = line.partition(" ")
			if key in ("msgid", "msgctxt") and "msgid" in current:
				entries[_entry_key(current)] = current.get("msgstr", "")
				current = {}
			current[key] = _unquote(rest)
		elif line.startswith('"') and key:
			current[key] += _unquote(line)
		elif not line and "msgid" in current:
			entries[_entry_key(current)] = current.get("msgstr", "")
			current, key = {}, None
	entries.pop("", None)
	return entries


def in_context(po: dict[str, str], message: str, context: str) -> str:
	"""What Frappe shows for `message` translated with `context` (a label of DocType `context`):
	the entry with that context, else the plain one — of THIS catalogue only."""
	return po.get(f"{context}\x04{message}") or po.get(message) or ""


POT = read_po(LOCALE / "main.pot")
USER_FACING = sorted(m for m in POT if not IDENTIFIER.fullmatch(m))


def test_pot_is_not_empty():
	assert len(USER_FACING) > 100


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_string_is_translated_with_the_same_placeholders(lang):
	po = read_po(LOCALE / f"{lang}.po")
	untranslated = [m for m in USER_FACING if not po.get(m)]
	assert untranslated == []
	broken = [m for m in USER_FACING if sorted(PLACEHOLDER.findall(m)) != sorted(PLACEHOLDER.findall(po[m]))]
	assert broken == []


@pytest.mark.parametrize("preset", list_presets())
def test_preset_labels_are_in_the_pot(preset):
	missing = [s for s in preset_strings(load_preset(preset)) if s not in POT]
	assert missing == []


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_no_string_is_translated_twice(lang):
	# parallel branches append to the catalogues; a msgid (in one context) twice is a fatal
	# error for msgfmt and leaves one of the two translations unused
	keys = re.findall(
		r'^(?:msgctxt ("(?:[^"\\]|\\.)*")\n)?msgid ("(?:[^"\\]|\\.)*"(?:\n"(?:[^"\\]|\\.)*")*)\nmsgstr',
		(LOCALE / f"{lang}.po").read_text(encoding="utf-8"),
		flags=re.M,
	)
	duplicates = sorted({k for k in keys if keys.count(k) > 1 and k[1] != '""'})
	assert duplicates == []


# The app's labels, descriptions and Select options carry the app's own translation even where
# Frappe or ERPNext has one: Frappe merges the apps' catalogues in install order, so this app's
# entries win — but only if they are IN this app's catalogue. The POT leaves host-known strings out
# (hooks.py ignore_translatable_strings_from), so those ship as entries with the DocType as context
# (the form translates a label as __(label, null, doctype)): the host's other screens keep theirs.
APP = LOCALE.parent


def _select_options(fieldtype, options) -> list[str]:
	if fieldtype != "Select" or not options:
		return []
	return [o for o in options.split("\n") if o.strip()]


def _field_strings(field: dict) -> list[str]:
	strings = [field.get("label"), field.get("description")]
	strings += _select_options(field.get("fieldtype"), field.get("options"))
	return [s for s in strings if s and not IDENTIFIER.fullmatch(s)]


def _literal(node):
	try:
		return ast.literal_eval(node)
	except ValueError:
		return None  # a computed value (not a string the catalogue could hold)


def custom_fields() -> list[tuple[str, dict]]:
	"""(file, field) for every custom-field definition in the app's code: dict literals with a
	fieldname and a fieldtype (what create_custom_fields is given)."""
	found = []
	for path in sorted(APP.rglob("*.py")):
		if path.name.startswith("test_"):
			continue
		for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
			if not isinstance(node, ast.Dict):
				continue
			keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
			if "fieldname" in keys and "fieldtype" in keys:
				field = {k: _literal(v) for k, v in zip(keys, node.values, strict=True) if k}
				found.append((str(path.relative_to(APP)), field))
	return found


def app_doctype_fields() -> list[tuple[str, dict]]:
	"""(doctype, field) for every field of the app's own DocTypes."""
	found = []
	for path in sorted(APP.glob("*/doctype/*/*.json")):
		meta = json.loads(path.read_text(encoding="utf-8"))
		if meta.get("doctype") == "DocType":
			found += [(meta["name"], field) for field in meta.get("fields", [])]
	return found


def test_the_custom_field_scan_finds_the_fields_the_app_adds():
	labels = {field.get("label") for _, field in custom_fields()}
	assert {
		"Archived",
		"Funnel",
		"Funnel Stage",
		"In Stage Since",
		"Telegram Chat ID",
		"Customer Journey",
	} <= labels
	assert len(app_doctype_fields()) > 200


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_custom_field_label_description_and_option_has_the_apps_translation(lang):
	po = read_po(LOCALE / f"{lang}.po")
	contexts = {key.split("\x04")[0] for key in po if "\x04" in key}
	missing = sorted(
		{
			(source, s)
			for source, field in custom_fields()
			for s in _field_strings(field)
			# the field's DocType is not in the literal: a plain entry or one for some DocType
			if not po.get(s) and not any(po.get(f"{c}\x04{s}") for c in contexts)
		}
	)
	assert missing == []


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_the_archived_checkbox_on_the_lead_is_the_apps_not_the_hosts_reading_room(lang):
	po = read_po(LOCALE / f"{lang}.po")
	assert in_context(po, "Archived", "Lead") == {"ru": "В архиве", "uk": "В архіві"}[lang]


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_label_description_and_option_of_the_apps_doctypes_has_the_apps_translation(lang):
	po = read_po(LOCALE / f"{lang}.po")
	missing = sorted(
		{
			(doctype, s)
			for doctype, field in app_doctype_fields()
			for s in _field_strings(field)
			if not in_context(po, s, doctype)
		}
	)
	assert missing == []
