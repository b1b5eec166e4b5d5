import pytest

from funnel_suite.engine import (
	Funnel,
	InvalidDefinition,
	Stage,
	normalize_stage_name,
	split_list,
	validate_definition,
)
from funnel_suite.engine.definition import require_valid


def make(*stages, **kw):
	return Funnel(kw.pop("name", "Main sale"), tuple(stages), **kw)


GOOD = make(
	Stage("Inquiry received"),
	Stage("Proposal sent", probability=40),
	Stage("Contract signed", "Won", 100),
	Stage("Lost", "Lost"),
)


def codes(funnel):
	return [p.code for p in validate_definition(funnel)]


def test_good_definition_has_no_problems():
	assert validate_definition(GOOD) == []
	assert require_valid(GOOD) is GOOD


def test_entry_stage_is_first_open_stage():
	funnel = make(Stage("Won early", "Won"), Stage("Lost", "Lost"), Stage("Inquiry received"), Stage("Met"))
	assert funnel.entry_stage.name == "Inquiry received"
	assert make(Stage("Won", "Won")).entry_stage is None


@pytest.mark.parametrize(
	"names",
	[("Proposal sent", "proposal sent"), ("Proposal sent", "  Proposal   sent "), ("A", "a")],
)
def test_duplicate_names_case_insensitive_and_trimmed(names):
	funnel = make(Stage(names[0]), Stage(names[1]), Stage("Won", "Won"), Stage("Lost", "Lost"))
	problems = validate_definition(funnel)
	assert [p.code for p in problems] == ["duplicate_name"]
	assert "used more than once" in str(problems[0])


def test_missing_kinds_are_each_reported():
	assert codes(make(Stage("Won", "Won"))) == ["no_open", "no_lost"]
	assert codes(make(Stage("A"), Stage("L", "Lost"))) == ["no_won"]
	assert codes(make(Stage("A"))) == ["no_won", "no_lost"]
	assert codes(make()) == ["no_stages"]


def test_unknown_allowed_next_and_bad_values():
	funnel = make(
		Stage("A", allowed_next=("B", "Nowhere")),
		Stage("B", probability=120),
		Stage("W", "Won", stale_after_days=-1),
		Stage("L", "Lost"),
		Stage("", "Open"),
		Stage("X", "Maybe"),
	)
	problems = validate_definition(funnel)
	found = {(p.code, p.stage, p.value) for p in problems}
	assert ("unknown_next", "A", "Nowhere") in found
	assert ("bad_probability", "B", "120") in found
	assert ("negative_days", "W", "-1") in found
	assert ("empty_name", None, "5") in found
	assert ("bad_kind", "X", "Maybe") in found
	with pytest.raises(InvalidDefinition) as err:
		require_valid(funnel)
	assert "Nowhere" in str(err.value)


def test_allowed_next_matches_names_loosely():
	funnel = make(Stage("A", allowed_next=(" b ",)), Stage("B"), Stage("W", "Won"), Stage("L", "Lost"))
	assert validate_definition(funnel) == []
	assert [s.name for s in funnel.next_stages("a")] == ["B"]


def test_stage_lookup_and_next_stages():
	assert GOOD.stage(" proposal SENT ").name == "Proposal sent"
	assert GOOD.stage("nope") is None
	assert GOOD.stage(None) is None
	assert GOOD.position("Contract signed") == 2
	assert GOOD.position("nope") == -1
	assert [s.name for s in GOOD.next_stages("Proposal sent")] == [
		"Inquiry received",
		"Contract signed",
		"Lost",
	]
	assert GOOD.next_stages(None) == GOOD.stages


def test_split_list():
	assert split_list("a, b\nc;;\n a ") == ("a", "b", "c")
	assert split_list(None) == ()
	assert split_list("") == ()
	assert split_list(["x", " y ", "", "x"]) == ("x", "y")


def test_normalize_stage_name():
	assert normalize_stage_name("  Invoice\t issued ") == "invoice issued"
	assert normalize_stage_name("СЧЁТ ВЫСТАВЛЕН") == "счёт выставлен"
	assert normalize_stage_name(None) == ""


@pytest.mark.parametrize("name", ["<b>Hot</b>", "Offer > 10k", "Two\nlines"])
def test_stage_names_the_host_cannot_store_are_refused(name):
	funnel = make(Stage(name), Stage("Won", "Won"), Stage("Lost", "Lost"))
	problems = validate_definition(funnel)
	assert [p.code for p in problems] == ["bad_name_chars"]
	assert "contains < or >" in str(problems[0])
