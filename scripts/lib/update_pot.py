"""Regenerate funnel_suite/locale/main.pot from a checkout (run by scripts/update-pot, which see).

This is `bench generate-pot-file --app funnel_suite` (frappe.gettext.translate.generate_pot) with
these differences (the first two because that command only works for an app inside the bench):

- it walks the checkout given (not the bench's apps/funnel_suite) and asks git which of its
  directories and files are ignored (`git ls-files --ignored`; Frappe asks GitPython for a repo
  found from the bench's path, which fails for a worktree elsewhere);
- the hooks.py extractor imports hooks.py by its module path in the checkout (Frappe's takes it
  relative to the bench directory);
- messages found by the app's OWN extractors (babel_extractors.csv: the presets' funnel, stage,
  route labels) are kept even when Frappe's or ERPNext's POT holds the same msgid. The
  `ignore_translatable_strings_from` hook drops every (msgid, context) the host's POT lists, which
  took 'Cancelled', 'Rejected', 'Confirmed' ... out of the POT; but a preset label is applied with
  a plain `_()` and must carry the app's translation (the host's catalogue may have none in the
  user's language, or another wording), so the POT has to list it (tests/test_translations.py,
  test_preset_labels_are_in_the_pot);
- the hook's hosts that ship CSV translations and no locale/main.pot (ERPNext 15) count too: a
  msgid their CSVs translate into every language the app ships is left out, as the hook means
  (Frappe's _get_ignored_strings reads main.pot only, so it left all of ERPNext's words in).

Everything else is Frappe's: new_catalog, get_method_map (the app's map, then Frappe's), the same
keywords (babel's defaults plus `_lt`), _get_ignored_strings and write_catalog's way of writing
(sorted, no obsolete entries, no wrapping). Locations are relative to the checkout. When the
messages did not change, main.pot is left byte for byte as it was (its dates included).
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import subprocess
import sys
from pathlib import Path

APP = "funnel_suite"


def git_ignored(checkout: Path) -> tuple[set[str], set[str]]:
	"""(directories, files) git ignores in the checkout, relative, '/'-separated (no trailing '/')."""
	try:
		out = subprocess.run(
			[
				"git",
				"-C",
				str(checkout),
				"ls-files",
				"-z",
				"--others",
				"--ignored",
				"--exclude-standard",
				"--directory",
			],
			check=True,
			capture_output=True,
		).stdout.decode()
	except (OSError, subprocess.CalledProcessError) as e:
		print(
			f"update-pot: {checkout} is not a git checkout ({e}); nothing is skipped as ignored",
			file=sys.stderr,
		)
		return set(), set()
	entries = [e for e in out.split("\0") if e]
	return {e.rstrip("/") for e in entries if e.endswith("/")}, {e for e in entries if not e.endswith("/")}


def checkout_navbar_module(checkout: Path):
	"""Frappe's hooks.py extractor, importing the file by its module path inside the checkout."""

	def get_module(path):
		relative = Path(path).resolve().relative_to(checkout)
		return importlib.import_module(".".join(relative.with_suffix("").parts))

	return get_module


def csv_translated(path: Path) -> set[tuple[str, str | None]]:
	"""(msgid, context) a translations CSV gives a translation (read as frappe.translate reads it)."""
	import csv

	if not path.exists():
		return set()
	with path.open(encoding="utf-8", newline="") as f:
		return {
			(row[0].replace("\\n", "\n"), row[2] if len(row) == 3 and row[2] else None)
			for row in csv.reader(f)
			if len(row) in (2, 3) and row[1].strip()
		}


def host_csv_strings() -> set[tuple[str, str | None]]:
	"""(msgid, context) the hosts named in ignore_translatable_strings_from translate in CSV files.

	Frappe's _get_ignored_strings reads a host's locale/main.pot; ERPNext 15 ships its translations
	as translations/<lang>.csv and has no main.pot, so for it Frappe ignores nothing and 'Item',
	'Employee', 'Stock Entry' ... came into the app's POT, where the app's plain entries would
	override ERPNext's wording on ERPNext's own screens. For such a host, a string counts as known
	when its CSV translates it into every language the app ships (funnel_suite/locale/*.po)."""
	import frappe
	from frappe.gettext import translate

	known: set[tuple[str, str | None]] = set()
	locales = sorted(translate.get_locales(APP))
	for host in frappe.get_hooks("ignore_translatable_strings_from", [], app_name=APP):
		try:
			host_path = Path(frappe.get_app_path(host))
		except Exception:
			continue  # not installed: _get_ignored_strings has said so
		if translate.get_pot_path(host).exists() or not locales:
			continue  # Frappe's own ignoring covers it
		per_locale = [
			csv_translated(host_path / "translations" / f"{locale.replace('_', '-')}.csv")
			for locale in locales
		]
		known |= set.intersection(*per_locale)
	return known


def extract(checkout: Path):
	"""The app's catalogue as Frappe's generate_pot builds it, from the checkout."""
	import frappe.gettext.extractors.navbar
	from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
	from babel.util import pathmatch
	from frappe.gettext import translate

	frappe.gettext.extractors.navbar.get_module = checkout_navbar_module(checkout)

	ignored_dirs, ignored_files = git_ignored(checkout)

	def directory_filter(dirpath) -> bool:
		relative = Path(dirpath).relative_to(checkout).as_posix()
		if relative in ignored_dirs:
			return False
		subdir = Path(dirpath).name
		return not (subdir.startswith(".") or subdir.startswith("_"))

	keywords = DEFAULT_KEYWORDS.copy()
	keywords["_lt"] = None

	app_methods = translate.get_method_map(APP)
	app_patterns = {pattern for pattern, _method in app_methods}
	method_map = [*app_methods, *translate.get_method_map("frappe")]
	ignored_strings = translate._get_ignored_strings(APP) | host_csv_strings()

	catalog = translate.new_catalog(APP)
	for filename, lineno, message, comments, context in extract_from_dir(
		str(checkout), method_map, directory_filter=directory_filter, keywords=keywords
	):
		if not message or filename in ignored_files:
			continue
		own = any(pathmatch(pattern, filename) for pattern in app_patterns)
		if (message, context) in ignored_strings and not own:
			continue
		catalog.add(message, locations=[(filename, lineno)], auto_comments=comments, context=context)
	return catalog


def render(catalog) -> bytes:
	"""The file frappe.gettext.translate.write_catalog writes for this catalogue."""
	from babel.messages.pofile import write_po

	out = io.BytesIO()
	write_po(out, catalog, sort_output=True, ignore_obsolete=True, width=None)
	return out.getvalue()


DATE_HEADER = re.compile(rb'^"(?:POT-Creation-Date|PO-Revision-Date): [^"]*"$', re.M)


def with_dates_of(old: bytes, new: bytes) -> bytes:
	"""`new` with the date lines of the header of `old` (a file babel may not even parse: the
	catalogue was edited by hand before this script existed)."""
	dates = iter(DATE_HEADER.findall(old))
	return DATE_HEADER.sub(lambda m: next(dates, m.group(0)), new)


IDENTIFIER = re.compile(r"[a-z_]+")  # a fieldname, not a user-facing string (as tests/test_translations.py)


def plain_from_context(
	pot: list[tuple[str, str | None]], po: dict[tuple[str, str | None], str]
) -> tuple[list[tuple[str, str]], list[str]]:
	"""What a .po needs for the POT's plain msgids it does not translate: (msgid, translation) to
	append where all its msgctxt entries give the same translation, and the msgids left for a
	human (no context entry, contexts that disagree, an empty plain entry to fill in place, or a
	POT entry with a context). `pot` is [(msgid, context)], `po` maps (msgid, context) -> msgstr."""
	by_msgid: dict[str, set[str]] = {}
	for (msgid, context), string in po.items():
		if context and string:
			by_msgid.setdefault(msgid, set()).add(string)
	add, left = [], []
	for msgid, context in pot:
		if not msgid or IDENTIFIER.fullmatch(msgid) or po.get((msgid, context)):
			continue
		words = by_msgid.get(msgid, set())
		if context is None and (msgid, None) not in po and len(words) == 1:
			add.append((msgid, next(iter(words))))
		else:
			left.append(msgid if context is None else f"{msgid} (msgctxt {context})")
	return add, left


def fill_plain(pot_path: Path) -> None:
	"""Append to every .po beside main.pot the plain entries plain_from_context finds; list the rest."""
	from babel.messages.pofile import escape, read_po

	def entries(path: Path) -> dict[tuple[str, str | None], str]:
		with path.open("rb") as f:
			return {(m.id, m.context): m.string for m in read_po(f) if isinstance(m.id, str)}

	pot = list(entries(pot_path))
	for po_path in sorted(pot_path.parent.glob("*.po")):
		add, left = plain_from_context(pot, entries(po_path))
		if add:
			block = [
				"",
				"#. Plain entries for msgids the POT lists without a context, in the words of their",
				"#. msgctxt entries (scripts/update-pot --fill-plain)",
			]
			for msgid, string in add:
				block += [f"msgid {escape(msgid)}", f"msgstr {escape(string)}", ""]
			text = po_path.read_text(encoding="utf-8")
			po_path.write_text(
				text + ("" if text.endswith("\n") else "\n") + "\n".join(block), encoding="utf-8"
			)
		print(f"{po_path.name}: {len(add)} plain entries added from their msgctxt entries")
		for msgid in left:
			print(f"  still to translate: {msgid!r}")


def main() -> int:
	parser = argparse.ArgumentParser(prog="scripts/update-pot")
	parser.add_argument("checkout", type=Path)
	parser.add_argument(
		"--check", action="store_true", help="exit 1 if main.pot is out of date; write nothing"
	)
	parser.add_argument(
		"--fill-plain",
		action="store_true",
		help="then append to ru.po, uk.po ... a plain entry for each POT msgid they translate only "
		"with a context, when those translations agree; list what is left to translate",
	)
	args = parser.parse_args()
	checkout = args.checkout.resolve()

	import frappe

	frappe.init(site="", sites_path=".")  # no site: hooks and catalogues are read from the apps
	app_path = Path(frappe.get_app_path(APP)).resolve()
	if app_path != checkout / APP:
		print(f"update-pot: {APP} is imported from {app_path}, not from {checkout}", file=sys.stderr)
		return 2
	pot_path = app_path / "locale" / "main.pot"

	catalog = extract(checkout)
	new = render(catalog)
	old = pot_path.read_bytes() if pot_path.exists() else b""
	# the messages are what counts: with the old file's dates, an unchanged catalogue is the same file
	if with_dates_of(old, new) == old:
		print(f"{pot_path.relative_to(checkout)} is up to date ({len(catalog)} messages)")
	elif args.check:
		print(f"{pot_path.relative_to(checkout)} is out of date: run scripts/update-pot", file=sys.stderr)
		return 1
	else:
		pot_path.parent.mkdir(parents=True, exist_ok=True)
		pot_path.write_bytes(new)
		print(f"{pot_path.relative_to(checkout)} written ({len(catalog)} messages)")
	if args.fill_plain and not args.check:
		fill_plain(pot_path)
	return 0


if __name__ == "__main__":
	sys.exit(main())
