"""A Production Order's rows as the engine reads them (funnel_suite.engine.production)."""

from __future__ import annotations

from frappe.utils import flt

from funnel_suite.engine.production import Material, Work

ORDER = "Production Order"


def works(doc) -> list[Work]:
	return [
		Work(
			row=r.name or str(r.idx),
			stage=r.stage or "",
			description=r.description or r.operation or "",
			executor=r.executor or "",
			status=r.status or "Pending",
		)
		for r in doc.get("works") or []
	]


def materials(doc) -> list[Material]:
	return [
		Material(
			row=r.name or str(r.idx),
			item_code=r.item_code,
			warehouse=r.warehouse or "",
			qty=flt(r.qty),
			issued_qty=flt(r.issued_qty),
		)
		for r in doc.get("materials") or []
	]
