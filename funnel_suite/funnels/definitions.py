"""Funnel definitions as the engine sees them, and which doctypes are cards: the layer below
`card.py` (the card rules) and `handoffs.py` (the hand-off rules), which both use it."""

from __future__ import annotations

import frappe
from frappe.utils import cint, flt

from funnel_suite import engine

DEFAULT_CACHE_KEY = "funnel_suite:default_funnel"


def card_doctypes() -> list[str]:
	"""Document types that can sit in a funnel (hook `funnel_document_types`)."""
	return list(dict.fromkeys(frappe.get_hooks("funnel_document_types")))


def is_card_doctype(doctype: str) -> bool:
	return doctype in card_doctypes()


def to_engine(doc) -> engine.Funnel:
	"""Map a Funnel document to the engine's definition."""
	return engine.Funnel(
		name=doc.name or doc.funnel_name,
		document_type=doc.document_type,
		enabled=bool(cint(doc.enabled)),
		strict_sequence=bool(cint(doc.get("strict_sequence"))),
		comment_on_backward=bool(cint(doc.get("comment_on_backward"))),
		stages=tuple(
			engine.Stage(
				name=(row.stage_name or "").strip(),
				kind=row.stage_type,
				probability=flt(row.probability),
				stale_after_days=cint(row.stale_after_days),
				required_fields=engine.split_list(row.required_fields),
				allowed_roles=engine.split_list(row.allowed_roles),
				allowed_next=engine.split_list(row.allowed_next),
				next_action=row.next_action or "",
				next_action_due_days=cint(row.next_action_due_days),
				checks=engine.split_list(row.get("checks")),
			)
			for row in doc.stages
		),
	)


def load_funnel(name: str) -> engine.Funnel:
	return to_engine(frappe.get_cached_doc("Funnel", name))


def default_funnel(doctype: str) -> str | None:
	"""The enabled default funnel of a document type (cached until a Funnel changes)."""

	def lookup():
		return (
			frappe.db.get_value("Funnel", {"document_type": doctype, "is_default": 1, "enabled": 1}, "name")
			or ""
		)

	return frappe.cache.hget(DEFAULT_CACHE_KEY, doctype, lookup) or None


def clear_cache_key(key: str) -> None:
	"""Drop a cached value now and again when the transaction ends (a rollback must not leave
	a value built from data that never got committed)."""

	def clear():
		frappe.cache.delete_value(key)

	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)


def clear_default_cache() -> None:
	clear_cache_key(DEFAULT_CACHE_KEY)
