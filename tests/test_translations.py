"""Every user-facing string of the app ships in Russian and Ukrainian, placeholders intact."""

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


def read_po(path: Path) -> dict[str, str]:
	"""msgid -> msgstr of a .po/.pot file (enough of the format for the files babel writes)."""
	entries: dict[str, str] = {}
	current: dict[str, str] = {}
	key = None
	for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
		line = line.strip()
		if line.startswith(("msgid ", "msgstr ", "msgctxt ")):
			key, _, rest = line.partition(" ")
			if key == "msgid" and "msgid" in current:
				entries[current["msgid"]] = current.get("msgstr", "")
				current = {}
			current[key] = _unquote(rest)
		elif line.startswith('"') and key:
			current[key] += _unquote(line)
		elif not line and "msgid" in current:
			entries[current["msgid"]] = current.get("msgstr", "")
			current, key = {}, None
	entries.pop("", None)
	return entries


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
