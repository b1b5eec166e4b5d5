"""Funnel definitions as the engine sees them, and which doctypes are cards: the layer below
`card.py` (the card rules) and `handoffs.py` (the hand-off rules), which both use it."""

from __future__ import annotations

import frappe
from frappe.utils import cint, flt

from funnel_suite import engine

DEFAULT_CACHE_KEY = "funnel_suite:default_funnel"


SETTINGS_CARD_DOCTYPES_KEY = "funnel_suite:settings_card_doctypes"
_LOCAL = "funnel_settings_card_doctypes"  # the same tuple, on frappe.local for the request


def card_doctypes() -> list[str]:
	"""Document types that can sit in a funnel: the hook `funnel_document_types` of the installed
	apps, then the Card Document Types a System Manager added in Funnel Settings."""
	return list(dict.fromkeys([*frappe.get_hooks("funnel_document_types"), *settings_card_doctypes()]))


def settings_card_doctypes() -> tuple[str, ...]:
	"""The Card Document Types rows of Funnel Settings, in their order (cached in Redis, and on
	frappe.local for the request, until the settings change; see funnels/card_types.py). The "*"
	document events read it on every save of every doctype: after the first read of a request it
	is one attribute of frappe.local."""
	value = getattr(frappe.local, _LOCAL, None)
	if value is not None:
		return value
	value = frappe.cache.get_value(SETTINGS_CARD_DOCTYPES_KEY)
	if value is None:
		value = _read_settings_card_doctypes()
		if value is None:
			return ()  # not cached: the table is not there yet
		frappe.cache.set_value(SETTINGS_CARD_DOCTYPES_KEY, value)
	setattr(frappe.local, _LOCAL, value)
	return value


def settings_only_doctypes() -> list[str]:
	"""The Card Document Types rows an app's hook does not already declare."""
	hook = set(frappe.get_hooks("funnel_document_types"))
	return [d for d in settings_card_doctypes() if d not in hook]


def _read_settings_card_doctypes() -> tuple[str, ...] | None:
	if not frappe.db.table_exists("Funnel Card Document Type"):
		# before the migration that creates the table (the "*" document events read this on every
		# save, also while the app's doctypes are being synced)
		return None
	rows = frappe.get_all(
		"Funnel Card Document Type",
		filters={"parenttype": "Funnel Settings", "parentfield": "card_document_types"},
		pluck="document_type",
		order_by="idx asc",
	)
	# a row whose doctype was deleted since (a custom doctype) is no card; the row stays
	existing = set(frappe.get_all("DocType", filters={"name": ("in", rows)}, pluck="name")) if rows else set()
	return tuple(dict.fromkeys(d for d in rows if d in existing))


def clear_card_doctypes_cache() -> None:
	def clear():
		setattr(frappe.local, _LOCAL, None)

	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)
	clear_cache_key(SETTINGS_CARD_DOCTYPES_KEY)


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
	"""The engine's definition of a funnel, built once per cached Funnel document.

	A move asks for its funnel several times (the rule, the probability, the hand-offs and every
	`funnel_on_move` hook): within a request the host hands back the same cached document object
	until the Funnel changes, so the definition built from it is kept next to it (keyed by that
	object and its `modified`, so a changed or reloaded Funnel is mapped again)."""
	doc = frappe.get_cached_doc("Funnel", name)
	built = _ENGINE_CACHE.get(name)
	if built is not None and built[0] is doc and built[1] == doc.modified:
		return built[2]
	funnel = to_engine(doc)
	if len(_ENGINE_CACHE) > 256:
		_ENGINE_CACHE.clear()
	_ENGINE_CACHE[name] = (doc, doc.modified, funnel)
	return funnel


# name -> (the cached Funnel document, its modified, its engine definition); see load_funnel
_ENGINE_CACHE: dict[str, tuple] = {}


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
