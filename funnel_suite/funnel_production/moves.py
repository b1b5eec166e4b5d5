"""What a move of a Production Order does (hook `funnel_on_move`, in the move's transaction):
entering the storekeeper's stage issues the materials, entering any stage opens the tasks of its
works for their executors."""

from __future__ import annotations

from funnel_suite.funnel_production import stock, works
from funnel_suite.funnel_production.rows import ORDER


def on_card_moved(doc, entries) -> None:
	if doc.doctype != ORDER:
		return
	for entry in entries:
		if stock.stage_issues_materials(entry["funnel"], entry["to_stage"]):
			stock.issue(doc)
			break
	works.open_tasks(doc, doc.funnel_stage)
