import json

import pytest

from funnel_suite import workflows
from funnel_suite.engine import validate_definition
from funnel_suite.workflows import PresetError, list_presets, load_preset, preset_funnel


def test_default_preset_loads_and_every_funnel_is_valid():
	assert "default" in list_presets()
	preset = load_preset("default")
	doctypes = {f["document_type"] for f in preset["funnels"]}
	assert doctypes == {"Lead", "Opportunity", "Refusal Review"}
	for funnel in preset["funnels"]:
		assert validate_definition(preset_funnel(funnel)) == []
		assert preset_funnel(funnel).entry_stage.name == funnel["stages"][0]["stage_name"]


def test_unknown_preset_names_the_available_ones():
	with pytest.raises(PresetError) as err:
		load_preset("hair-dryer-shop")
	assert "default" in str(err.value)


def test_invalid_preset_is_refused(tmp_path, monkeypatch):
	bad = {
		"name": "bad",
		"funnels": [{"funnel_name": "X", "stages": [{"stage_name": "Only", "stage_type": "Open"}]}],
	}
	(tmp_path / "bad.json").write_text(json.dumps(bad))
	monkeypatch.setattr(workflows, "PRESET_DIR", tmp_path)
	with pytest.raises(PresetError) as err:
		load_preset("bad")
	assert "Won" in str(err.value)

	twice = {"name": "twice", "funnels": [load_preset_default_funnel(), load_preset_default_funnel()]}
	(tmp_path / "twice.json").write_text(json.dumps(twice))
	with pytest.raises(PresetError) as err:
		load_preset("twice")
	assert "twice" in str(err.value)


def load_preset_default_funnel():
	return json.loads((workflows.Path(workflows.__file__).parent / "presets" / "default.json").read_text())[
		"funnels"
	][0]


@pytest.mark.parametrize("preset", list_presets())
def test_every_preset_passes_the_design_audit(preset):
	from funnel_suite.engine.audit import audit_funnel

	for funnel in load_preset(preset)["funnels"]:
		findings = audit_funnel(preset_funnel(funnel), purpose=funnel["purpose"])
		assert [f for f in findings if f.severity in ("error", "warning")] == [], funnel["funnel_name"]
