"""Funnel presets (one JSON per business type) and the loader that reads them.

Pure Python: the installer and the presets API turn what this returns into documents.
A preset file looks like::

    {"name": "default", "title": "...", "funnels": [
        {"funnel_name": "...", "document_type": "Lead", "purpose": "...", "is_default": 1,
         "stages": [{"stage_name": "...", "stage_type": "Open", ...}]}]}
"""

from __future__ import annotations

import json
from pathlib import Path

from funnel_suite.engine import Funnel, Stage, split_list, validate_definition
from funnel_suite.engine.handoffs import HandoffRule, validate_rules

PRESET_DIR = Path(__file__).parent / "presets"


class PresetError(ValueError):
	pass


def list_presets() -> list[str]:
	return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def load_preset(name: str) -> dict:
	"""Read a preset and check every funnel in it is a valid definition."""
	path = PRESET_DIR / f"{name}.json"
	if name not in list_presets():
		raise PresetError(f"unknown preset '{name}'; available: {', '.join(list_presets())}")
	preset = json.loads(path.read_text(encoding="utf-8"))
	names = set()
	for funnel in preset.get("funnels", []):
		if funnel["funnel_name"] in names:
			raise PresetError(f"preset '{name}' defines funnel '{funnel['funnel_name']}' twice")
		names.add(funnel["funnel_name"])
		problems = validate_definition(preset_funnel(funnel))
		if problems:
			raise PresetError(f"preset '{name}', funnel '{funnel['funnel_name']}': {problems[0]}")
	funnels = {f["funnel_name"]: preset_funnel(f) for f in preset.get("funnels", [])}
	handoff_problems = validate_rules(preset_handoffs(preset), funnels)
	if handoff_problems:
		raise PresetError(f"preset '{name}': hand-off {handoff_problems[0]!r}")
	return preset


def preset_handoffs(preset: dict) -> list[HandoffRule]:
	"""The hand-off rules of a preset (targets name funnels of the same preset)."""
	return [
		HandoffRule(
			source_funnel=funnel["funnel_name"],
			trigger_stage=rule["trigger_stage"],
			action=rule.get("action", "Move").strip().lower(),
			target_funnel=rule["target_funnel"],
			target_stage=rule.get("target_stage"),
			condition_field=rule.get("condition_field"),
			condition_value=rule.get("condition_value"),
		)
		for funnel in preset.get("funnels", [])
		for rule in funnel.get("handoffs", [])
	]


def preset_funnel(funnel: dict) -> Funnel:
	"""The engine definition of one funnel of a preset."""
	return Funnel(
		name=funnel["funnel_name"],
		document_type=funnel.get("document_type", ""),
		strict_sequence=bool(funnel.get("strict_sequence")),
		comment_on_backward=bool(funnel.get("comment_on_backward")),
		stages=tuple(
			Stage(
				name=s["stage_name"],
				kind=s.get("stage_type", "Open"),
				probability=s.get("probability", 0),
				stale_after_days=s.get("stale_after_days", 0),
				required_fields=split_list(s.get("required_fields")),
				allowed_roles=split_list(s.get("allowed_roles")),
				allowed_next=split_list(s.get("allowed_next")),
				next_action=s.get("next_action", ""),
				next_action_due_days=s.get("next_action_due_days", 0),
				checks=split_list(s.get("checks")),
			)
			for s in funnel.get("stages", [])
		),
	)
