"""Babel extractor for preset JSON files (listed in babel_extractors.csv at the repo root).

`bench generate-pot-file --app funnel_suite` then puts every funnel name, description,
stage name and next action of every preset into locale/main.pot, so they are translated
like any other string and applied in the user's language when a preset is applied.
"""

import json


def extract_preset(fileobj, *args, **kwargs):
	data = json.load(fileobj)
	if not isinstance(data, dict):
		return
	for key in ("title", "description"):
		if data.get(key):
			yield None, "_", data[key], [f"{key.title()} of a funnel preset"]
	for funnel in data.get("funnels", []):
		name = funnel.get("funnel_name")
		yield None, "_", name, ["Name of a funnel in a preset"]
		if funnel.get("description"):
			yield None, "_", funnel["description"], [f"Description of the {name} funnel"]
		for stage in funnel.get("stages", []):
			yield None, "_", stage.get("stage_name"), [f"Stage of the {name} funnel"]
			if stage.get("next_action"):
				yield None, "_", stage["next_action"], [f"Next action of a stage of the {name} funnel"]


def preset_strings(preset: dict) -> list[str]:
	"""Every translatable string of a loaded preset (used by the tests that check the .po files)."""

	class _File:
		def __init__(self, data):
			self.data = data

		def read(self):
			return json.dumps(self.data)

	return [message for _, _, message, _ in extract_preset(_File(preset)) if message]
