"""Applying funnel presets (funnel_suite/workflows/presets/*.json) to a site.

Labels are translated into the language of the user who applies the preset. Each funnel
created remembers where it came from (`Funnel.preset` = "<preset>/<English name>"), so a
preset applied twice — in any language — creates nothing the second time.
"""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnels.owned import app_writes
from funnel_suite.workflows import PresetError, list_presets, load_preset

TRANSLATED_STAGE_KEYS = ("stage_name", "next_action")


def preset_key(preset: str, funnel_name: str) -> str:
	return f"{preset}/{funnel_name}"


def _load(preset: str) -> dict:
	try:
		return load_preset(preset)
	except PresetError:
		frappe.throw(
			_("Unknown preset {0}. Available presets: {1}.").format(
				frappe.bold(preset), ", ".join(list_presets())
			),
			title=_("Unknown Preset"),
		)


def describe_presets() -> list[dict]:
	"""Presets with their funnels and stages, translated, for the "Apply Preset" dialog."""
	presets = []
	for name in list_presets():
		if name == "default":
			continue
		preset = load_preset(name)
		presets.append(
			{
				"name": name,
				"title": _(preset.get("title", name)),
				"description": _(preset.get("description", "")),
				"funnels": [
					{
						"funnel_name": _(f["funnel_name"]),
						"document_type": f["document_type"],
						"purpose": f["purpose"],
						"exists": bool(_existing(name, f)),
						"stages": [_(s["stage_name"]) for s in f["stages"]],
					}
					for f in preset["funnels"]
				],
			}
		)
	return presets


def _existing(preset: str, spec: dict) -> str | None:
	"""The funnel already made from this preset entry (by key, or by its translated name), of the
	entry's document type: a funnel of another type made from an older version of the preset (the
	construction preset's Production funnel was on Opportunity, now on Production Order) stays as
	it is, with its cards, and the entry gets a funnel of its own (see `_free_name`)."""
	doctype = spec["document_type"]
	found = frappe.db.get_value(
		"Funnel", {"preset": preset_key(preset, spec["funnel_name"]), "document_type": doctype}, "name"
	)
	if found:
		return found
	name = _(spec["funnel_name"])
	if frappe.db.get_value("Funnel", name, "document_type") == doctype:
		return name
	suffixed = _free_name(spec)
	return suffixed if frappe.db.get_value("Funnel", suffixed, "document_type") == doctype else None


def _free_name(spec: dict) -> str:
	"""The entry's translated name, or "<name> (<document type>)" when a funnel of another document
	type has that name."""
	name = _(spec["funnel_name"])
	if not frappe.db.exists("Funnel", name):
		return name
	return f"{name} ({_(spec['document_type'])})"


def apply_preset(preset: str) -> dict:
	"""Create the preset's funnels that do not exist yet. Returns {"created": [...], "existing": [...]}."""
	spec = _load(preset)
	created, existing = [], []
	for funnel in spec["funnels"]:
		found = _existing(preset, funnel)
		if found:
			existing.append(found)
			continue
		doc = frappe.get_doc(
			{
				"doctype": "Funnel",
				"funnel_name": _free_name(funnel),
				"document_type": funnel["document_type"],
				"purpose": funnel["purpose"],
				"is_default": funnel.get("is_default", 0),
				"strict_sequence": funnel.get("strict_sequence", 0),
				"comment_on_backward": funnel.get("comment_on_backward", 0),
				"enabled": 1,
				"description": _(funnel["description"]) if funnel.get("description") else None,
				"preset": preset_key(preset, funnel["funnel_name"]),
				"stages": [
					{
						**stage,
						**{key: _(stage[key]) for key in TRANSLATED_STAGE_KEYS if stage.get(key)},
					}
					for stage in funnel["stages"]
				],
			}
		)
		with app_writes():  # the preset key is the app's to write
			doc.insert()
		created.append(doc.name)
	_add_handoffs(preset, spec, created)
	_fill_settings(preset, spec)
	# hook `funnel_on_preset_applied` (preset, spec, {English funnel name: funnel}): what a domain
	# adds with its presets (warranty: the starter route)
	names = {f["funnel_name"]: _existing(preset, f) for f in spec["funnels"]}
	for handler in frappe.get_hooks("funnel_on_preset_applied"):
		frappe.get_attr(handler)(preset, spec, names)
	return {"created": created, "existing": existing}


def _fill_settings(preset: str, spec: dict) -> None:
	"""A preset's Deferred Demand / Reanimation funnels become the app's, unless already chosen."""
	wanted = {"Deferred Demand": "deferred_demand_funnel", "Reanimation": "reanimation_funnel"}
	for funnel in spec["funnels"]:
		field = wanted.get(funnel["purpose"])
		if (
			field
			and funnel["document_type"] == "Opportunity"
			and not frappe.db.get_single_value("Funnel Settings", field)
		):
			frappe.db.set_single_value("Funnel Settings", field, _existing(preset, funnel))
			frappe.clear_document_cache("Funnel Settings", "Funnel Settings")


def _add_handoffs(preset: str, spec: dict, created: list[str]) -> None:
	"""Hand-off rules go in once every funnel of the preset exists (they name each other)."""
	names = {f["funnel_name"]: _existing(preset, f) for f in spec["funnels"]}
	for funnel in spec["funnels"]:
		if not funnel.get("handoffs") or names[funnel["funnel_name"]] not in created:
			continue
		doc = frappe.get_doc("Funnel", names[funnel["funnel_name"]])
		for rule in funnel["handoffs"]:
			doc.append(
				"handoffs",
				{
					"trigger_stage": _(rule["trigger_stage"]),
					"action": rule.get("action", "Move"),
					"target_funnel": names[rule["target_funnel"]],
					"target_stage": _(rule["target_stage"]) if rule.get("target_stage") else None,
					"condition_field": rule.get("condition_field"),
					"condition_value": rule.get("condition_value"),
				},
			)
		doc.save()
