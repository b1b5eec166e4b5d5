"""Preset "warranty": the branch funnels (funnels/presets.py) and the starter route, in the
installing user's language. Applying it twice creates nothing."""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_warranty.routes import ROUTE_DOCTYPE
from funnel_suite.funnels.presets import apply_preset

PRESET = "warranty"


def apply_warranty_preset() -> dict:
	"""The branch funnels, then (hook funnel_on_preset_applied) the starter route."""
	return apply_preset(PRESET)


def on_preset_applied(preset: str, spec: dict, funnels: dict[str, str]) -> None:
	"""Hook funnel_on_preset_applied: a preset with a `route` gets its starter route (also when
	applied from the Funnel list by a Funnel Manager; the funnels API checked their permission)."""
	if spec.get("route"):
		create_starter_route(spec["route"], funnels)


def create_starter_route(nodes: list[dict], funnels: dict[str, str]) -> str | None:
	"""Insert the nodes (parents first, without answers), then the answers (their targets exist
	by then), then switch the route on: saving the active root checks the whole tree."""
	if not nodes:
		return None
	name = {n["node_name"]: _(n["node_name"]) for n in nodes}
	root = name[nodes[0]["node_name"]]
	if frappe.db.exists(ROUTE_DOCTYPE, root):
		return None
	for node in nodes:
		frappe.get_doc(
			{
				"doctype": ROUTE_DOCTYPE,
				"node_name": name[node["node_name"]],
				"parent_warranty_route": name.get(node.get("parent")),
				"node_kind": node["node_kind"],
				"question": _(node["question"]) if node.get("question") else None,
				"data_check": node.get("data_check"),
				"check_days": node.get("check_days"),
				"outcome": node.get("outcome"),
				"branch_funnel": funnels.get(node.get("branch_funnel"))
				if node.get("branch_funnel")
				else None,
				"explanation": _(node["explanation"]) if node.get("explanation") else None,
			}
		).insert(ignore_permissions=True)  # install / the preset API, after its caller's check
	for node in nodes:
		if not node.get("answers"):
			continue
		doc = frappe.get_doc(ROUTE_DOCTYPE, name[node["node_name"]])
		automatic = node["node_kind"] == "Automatic Check"  # answered Yes / No by the engine
		for label, target in node["answers"]:
			doc.append("answers", {"answer": label if automatic else _(label), "next_node": name[target]})
		doc.save(ignore_permissions=True)
	doc = frappe.get_doc(ROUTE_DOCTYPE, root)
	doc.is_active = 1
	doc.save(ignore_permissions=True)
	return root
