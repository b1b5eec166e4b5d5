"""Writing the move log (Funnel Transition) in one statement per batch.

Only the engine writes here. Rows get their ids from the doctype's own sequence
(`funnel_transition_id_seq`, created by Frappe for autoincrement doctypes), so a move costs
one INSERT whatever the card's history length, and bulk placement costs one INSERT per
batch instead of one per row. The INSERT skips Document.save(), so each row's texts (the
mover's comment above all) go through the host's sanitizer first (`funnel_suite.funnels.sanitize`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import frappe
from frappe.utils import now_datetime

from funnel_suite.funnels.sanitize import sanitized

FIELDS = (
	"reference_doctype",
	"reference_name",
	"funnel",
	"from_funnel",
	"from_stage",
	"to_stage",
	"moved_by",
	"moved_on",
	"seconds_in_from_stage",
	"comment",
	# the card's dimensions when it moved (funnel_suite.funnels.dimensions): analytics group by them
	"company",
	"card_owner",
	"source",
	"territory",
	"amount",
)
LOGGED_DIMENSIONS = ("company", "card_owner", "source", "territory", "amount")
_META = ("creation", "modified", "modified_by", "owner", "docstatus", "idx")
_COLUMNS = ", ".join(f"`{c}`" for c in ("name", *_META, *FIELDS))
_ROW = "(nextval(`funnel_transition_id_seq`), " + ", ".join(["%s"] * (len(_META) + len(FIELDS))) + ")"


def insert_transitions(rows: Iterable[Mapping[str, Any]], chunk_size: int = 2000) -> int:
	"""Insert log rows (dicts with the keys of FIELDS). Returns how many were written."""
	now = now_datetime()
	user = frappe.session.user
	written = 0
	iterator = iter(rows)
	while chunk := tuple(itertools.islice(iterator, chunk_size)):
		values: list[Any] = []
		for row in chunk:
			row = sanitized("Funnel Transition", {f: row.get(f) for f in FIELDS})
			values.extend((now, now, user, row.get("moved_by") or user, 0, 0))
			values.extend(row.get(f) for f in FIELDS[:-1])
			values.append(row.get("amount") or 0)
		frappe.db.sql(
			f"insert into `tabFunnel Transition` ({_COLUMNS}) values {', '.join([_ROW] * len(chunk))}",
			values,
		)
		written += len(chunk)
	return written
