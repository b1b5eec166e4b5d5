"""scripts/update-pot's pieces that need no bench: git's ignored paths, the host's CSV strings,
and keeping main.pot's dates when no message changed."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lib" / "update_pot.py"
spec = importlib.util.spec_from_file_location("update_pot", SCRIPT)
update_pot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update_pot)

HEADER = """msgid ""
msgstr ""
"Project-Id-Version: Funnel Suite VERSION\\n"
"POT-Creation-Date: {0}\\n"
"PO-Revision-Date: {0}\\n"
"MIME-Version: 1.0\\n"

msgid "Funnel"
msgstr ""
"""


def test_an_unchanged_catalogue_keeps_the_old_files_dates():
	old = HEADER.format("2026-11-23 17:42+0000").encode()
	new = HEADER.format("2026-12-02 16:30+0000").encode()
	assert new != old
	assert update_pot.with_dates_of(old, new) == old


def test_a_changed_catalogue_is_not_taken_for_the_old_one():
	old = HEADER.format("2026-11-23 17:42+0000").encode()
	new = HEADER.format("2026-12-02 16:30+0000").replace("Funnel", "Funnels").encode()
	assert update_pot.with_dates_of(old, new) != old


def test_a_file_without_dates_keeps_the_new_ones():
	new = HEADER.format("2026-12-02 16:30+0000").encode()
	assert update_pot.with_dates_of(b"", new) == new


def test_csv_strings_are_the_translated_rows_with_their_context(tmp_path):
	path = tmp_path / "ru.csv"
	path.write_text(
		'Item,Товар\nStock Entry,Движение,Stock\n"Line\\nbreak",Перенос\nUntranslated,\nbad row\n',
		encoding="utf-8",
	)
	assert update_pot.csv_translated(path) == {
		("Item", None),
		("Stock Entry", "Stock"),
		("Line\nbreak", None),
	}
	assert update_pot.csv_translated(tmp_path / "missing.csv") == set()


@pytest.fixture
def repo(tmp_path):
	subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
	(tmp_path / ".gitignore").write_text("node_modules/\n*.log\n/build/\n")
	for name in ("node_modules/x/a.js", "build/b.py", "app/c.py", "app/d.log", "app/sub/e.py"):
		(tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
		(tmp_path / name).write_text("x = 1\n")
	return tmp_path


def test_git_tells_which_directories_and_files_are_ignored(repo):
	directories, files = update_pot.git_ignored(repo)
	assert directories == {"node_modules", "build"}
	assert files == {"app/d.log"}


def test_a_directory_outside_git_ignores_nothing(tmp_path, capsys):
	assert update_pot.git_ignored(tmp_path / "not-a-repo") == (set(), set())
	assert "not a git checkout" in capsys.readouterr().err


def test_a_label_translated_only_in_context_gets_the_same_words_as_a_plain_entry():
	pot = [("Works", None), ("Answer", None), ("Item", None), ("Open", "Funnel Stage"), ("fieldname", None)]
	po = {
		("Works", "Production Order"): "Работы",
		("Answer", "Warranty Decision Step"): "Ответ",
		("Answer", "Warranty Route Answer"): "Ответ",
		("Item", "Warranty Route"): "Товар",
		("Item", "Production Material"): "Номенклатура",
	}
	add, left = update_pot.plain_from_context(pot, po)
	assert add == [("Works", "Работы"), ("Answer", "Ответ")]
	# contexts that disagree, and a POT entry with a context, are for a human; a fieldname is no text
	assert left == ["Item", "Open (msgctxt Funnel Stage)"]


def test_nothing_is_added_twice():
	pot = [("Works", None), ("Node", None), ("Leaf", None)]
	po = {("Works", None): "Работы", ("Node", "Warranty Decision Step"): "Узел", ("Leaf", None): ""}
	add, left = update_pot.plain_from_context(pot, po)
	assert add == [("Node", "Узел")]
	# an empty plain entry is filled in place, not appended again (a duplicate msgid breaks msgfmt)
	assert left == ["Leaf"]
