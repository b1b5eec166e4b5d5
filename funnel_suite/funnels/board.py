"""Keep the host's screens in step with the funnels: the stage Select and the Kanban boards."""

from __future__ import annotations

import json

import frappe

STAGE_FIELD = "funnel_stage"


def stage_options(doctype: str) -> list[str]:
	"""The values a card's `funnel_stage` may hold.

	The stage names of the enabled funnels of `doctype` (funnel by funnel, stages in order),
	plus the stages cards of disabled funnels still sit in, so that no existing card becomes
	impossible to save when its funnel is disabled.
	"""
	funnels = frappe.get_all(
		"Funnel",
		filters={"document_type": doctype},
		fields=["name", "enabled"],
		order_by="is_default desc, creation asc",
	)
	names: dict[str, None] = {}
	enabled = [f.name for f in funnels if f.enabled]
	if enabled:
		for row in frappe.get_all(
			"Funnel Stage",
			filters={"parenttype": "Funnel", "parent": ("in", enabled)},
			fields=["parent", "stage_name", "idx"],
			order_by="idx asc",
		):
			names.setdefault(row.stage_name, None)
	disabled = [f.name for f in funnels if not f.enabled]
	if disabled:
		for stage in frappe.get_all(
			doctype,
			filters={"funnel": ("in", disabled)},
			pluck=STAGE_FIELD,
			distinct=True,
			order_by=None,
		):
			if stage:
				names.setdefault(stage, None)
	return list(names)


def sync_stage_options(doctype: str) -> None:
	"""Write the union of stage names into the card's `funnel_stage` Select (no DDL, no commit)."""
	custom_field = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": STAGE_FIELD}, "name")
	if not custom_field:
		return
	# a leading blank option: Frappe gives a new document's Select the first option as its
	# default, and a new card must start empty (then it gets its own funnel's entry stage)
	options = "\n".join(["", *stage_options(doctype)])
	if frappe.db.get_value("Custom Field", custom_field, "options") != options:
		frappe.db.set_value("Custom Field", custom_field, "options", options, update_modified=False)
		frappe.clear_cache(doctype=doctype)


def _board_name(funnel) -> str:
	if funnel.kanban_board and frappe.db.exists("Kanban Board", funnel.kanban_board):
		return funnel.kanban_board
	name, n = funnel.name, 1
	while True:
		existing = frappe.db.get_value("Kanban Board", name, ["reference_doctype", "filters"], as_dict=True)
		if not existing or _is_board_of(existing, funnel):
			return name
		n += 1
		name = f"{funnel.name} ({n})"


def _board_filters(funnel) -> list:
	return [[funnel.document_type, "funnel", "=", funnel.name, False]]


def _is_board_of(board, funnel) -> bool:
	try:
		filters = json.loads(board.filters or "[]")
	except ValueError:
		return False
	return board.reference_doctype == funnel.document_type and filters == _board_filters(funnel)


def sync_kanban_board(funnel) -> str:
	"""One Kanban Board per funnel: filter funnel = this funnel, columns = its stages in order.

	A removed stage's column is archived, never deleted.
	"""
	name = _board_name(funnel)
	if frappe.db.exists("Kanban Board", name):
		kanban = frappe.get_doc("Kanban Board", name)
	else:
		kanban = frappe.new_doc("Kanban Board")
		kanban.kanban_board_name = name
	kanban.reference_doctype = funnel.document_type
	kanban.field_name = STAGE_FIELD
	kanban.filters = json.dumps(_board_filters(funnel))
	kanban.private = 0
	if not kanban.fields:
		kanban.fields = json.dumps(["funnel_stale"])  # a stale card says so on the board

	existing = {column.column_name: column for column in kanban.columns}
	columns = []
	for stage in funnel.stages:
		column = existing.pop(stage.stage_name, None)
		if column is None:
			column = frappe._dict(column_name=stage.stage_name, order="[]")
		column.status = "Active"
		column.indicator = stage.indicator or "Gray"
		columns.append(column)
	for column in existing.values():
		column.status = "Archived"
		columns.append(column)

	if kanban.is_new():
		# The host's Kanban Board fills each new column's card order in before_insert with a list
		# query of the cards as the current user; a Funnel Manager who may not read the cards
		# (configuring funnels needs no sales role) would be refused. The board is the app's own
		# bookkeeping of a funnel the caller may write (checked by the Funnel's save): insert it
		# without columns, then add them in an update, where the host computes no order.
		kanban.flags.ignore_permissions = True
		kanban.set("columns", [])
		kanban.insert()
	kanban.set("columns", [])
	for column in columns:
		kanban.append(
			"columns",
			{
				"column_name": column.column_name,
				"status": column.status,
				"indicator": column.indicator,
				"order": column.order or "[]",
			},
		)
	kanban.flags.ignore_permissions = True
	kanban.save()
	if funnel.kanban_board != kanban.name:
		funnel.db_set("kanban_board", kanban.name, update_modified=False)
	return kanban.name


def remove_kanban_board(funnel) -> None:
	"""Drop the board the app made for a funnel that was deleted (only never-used funnels can be)."""
	if funnel.kanban_board and frappe.db.exists("Kanban Board", funnel.kanban_board):
		frappe.delete_doc("Kanban Board", funnel.kanban_board, ignore_permissions=True, force=True)
