"""Funnels: the funnels of a card doctype, presets, the design audit (funnels/presets.py,
funnels/audit.py)."""

from __future__ import annotations

import frappe

from funnel_suite.api.cards import _check_card_doctype
from funnel_suite.funnels.audit import audit_doc
from funnel_suite.funnels.definitions import load_funnel
from funnel_suite.funnels.presets import apply_preset as _apply_preset
from funnel_suite.funnels.presets import describe_presets


@frappe.whitelist()
def get_funnels(doctype: str) -> list[dict]:
	"""Enabled funnels the user may read for a document type, with their stage names."""
	_check_card_doctype(doctype)
	funnels = frappe.get_list(
		"Funnel",
		filters={"document_type": doctype, "enabled": 1},
		fields=["name", "purpose", "is_default"],
		order_by="is_default desc, funnel_name asc",
	)
	for row in funnels:
		funnel = load_funnel(row.name)
		row["stages"] = list(funnel.stage_names)
		row["open_stages"] = [s.name for s in funnel.stages if s.kind == "Open"]
		row["lost_stages"] = [s.name for s in funnel.stages if s.kind == "Lost"]
	return funnels


@frappe.whitelist()
def get_presets() -> list[dict]:
	"""Presets an admin can apply, with their funnels and stages (translated)."""
	frappe.has_permission("Funnel", "read", throw=True)
	return describe_presets()


@frappe.whitelist(methods=["POST"])
def apply_preset(preset: str) -> list[str]:
	"""Create the funnels of a preset (business type) that do not exist yet; returns their names.

	Applying the same preset twice creates nothing the second time.
	"""
	frappe.has_permission("Funnel", "create", throw=True)
	return _apply_preset(preset)["created"]


@frappe.whitelist()
def audit_funnel(funnel: str) -> list[dict]:
	"""The design audit of a funnel: [{code, severity, stage, message, suggestion}], in the user's language."""
	doc = frappe.get_doc("Funnel", funnel)
	doc.check_permission("read")
	return audit_doc(doc)
