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
	# a warranty preset's starter route: node names, questions, answers of questions, explanations
	for node in data.get("route", []):
		yield None, "_", node["node_name"], ["Name of a node of a preset's warranty route"]
		for key in ("question", "explanation"):
			if node.get(key):
				yield None, "_", node[key], [f"{key.title()} of a node of a preset's warranty route"]
		if node.get("node_kind") == "Question":
			for label, _target in node.get("answers", []):
				yield None, "_", label, ["Answer of a question of a preset's warranty route"]


def preset_strings(preset: dict) -> list[str]:
	"""Every translatable string of a loaded preset (used by the tests that check the .po files)."""

	class _File:
		def __init__(self, data):
			self.data = data

		def read(self):
			return json.dumps(self.data)

	return [message for _, _, message, _ in extract_preset(_File(preset)) if message]
