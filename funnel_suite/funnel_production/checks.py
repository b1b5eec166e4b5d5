"""Stage checks of production funnels (registered in hooks.py, `funnel_stage_checks`).

`production_works_done`: listed on a stage, a forward move into it needs every work of the stage
the order leaves Done; the reason lists the open works and their executors. `issue_materials`:
marks the storekeeper's stage; entering it needs stock for everything left to issue (the reason
names item, warehouse, needed and available), and the move then issues it (stock.py). Texts typed
by users are escaped: the reasons are shown as HTML."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html

from funnel_suite.engine.production import works_blocking
from funnel_suite.funnel_production import rows
from funnel_suite.funnel_production.rows import ORDER
from funnel_suite.funnels.audit import bold
from funnel_suite.funnels.checks import stage_check
from funnel_suite.funnels.definitions import load_funnel


def _left_stage(doc) -> str | None:
	before = doc.get_doc_before_save()
	if not before or before.get("funnel") != doc.get("funnel"):
		return None
	return before.get("funnel_stage")


@stage_check(ORDER)
def production_works_done(doc) -> list[str]:
	left = _left_stage(doc)
	if not left or not doc.get("funnel"):
		return []
	blocking = works_blocking(load_funnel(doc.funnel), left, doc.get("funnel_stage"), rows.works(doc))
	if not blocking:
		return []
	listed = "; ".join(
		_("{0} ({1}, {2})").format(
			bold(w.description or _("work in row {0}").format(w.row)),
			escape_html(w.executor) if w.executor else _("no executor"),
			_(w.status),
		)
		for w in blocking
	)
	return [_("finish the works of stage {0} first: {1}").format(bold(_(left)), listed)]


@stage_check(ORDER)
def issue_materials(doc) -> list[str]:
	from funnel_suite.funnel_production.stock import shortage_reasons

	return shortage_reasons(doc)
