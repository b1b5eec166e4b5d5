"""Put every Lead and Opportunity that is in no funnel into its default funnel.

Opportunities take the stage named like their ERPNext `sales_stage` when the default
funnel has one, else the entry stage. Only cards with no funnel are touched, so running
this twice changes nothing the second time. Rows are written in bulk (no `save()` per
card, so ERPNext's own status logic is not re-run) and each placement is logged.
"""

import frappe
from frappe.utils import now_datetime

from funnel_suite.funnels.card import card_doctypes, default_funnel, load_funnel
from funnel_suite.funnels.log import insert_transitions

BATCH = 5000


def execute():
	place_existing_cards()


def place_existing_cards() -> dict[str, int]:
	placed = {}
	for doctype in card_doctypes():
		funnel_name = default_funnel(doctype)
		if not funnel_name:
			continue
		placed[doctype] = _place(doctype, load_funnel(funnel_name))
	if any(placed.values()):
		# bulk writes bypass the per-move hooks: let the app's derived tables catch up
		for method in frappe.get_hooks("funnel_on_bulk_placement"):
			frappe.get_attr(method)()
	return placed


def _place(doctype: str, funnel) -> int:
	meta = frappe.get_meta(doctype)
	if not meta.has_field("funnel"):
		return 0
	mapped_field = "sales_stage" if meta.has_field("sales_stage") else None
	entry = funnel.entry_stage.name
	now = now_datetime()
	total = 0
	while True:
		fields = ["name", mapped_field] if mapped_field else ["name"]
		rows = frappe.get_all(
			doctype,
			filters={"funnel": ("is", "not set")},
			fields=fields,
			limit_page_length=BATCH,
			order_by="creation asc",
		)
		if not rows:
			return total
		by_stage: dict[str, list[str]] = {}
		for row in rows:
			stage = funnel.stage(row.get(mapped_field)) if mapped_field else None
			by_stage.setdefault(stage.name if stage else entry, []).append(row.name)
		log = []
		for stage, names in by_stage.items():
			frappe.db.set_value(
				doctype,
				{"name": ("in", names)},
				{"funnel": funnel.name, "funnel_stage": stage, "funnel_stage_since": now},
				update_modified=False,
			)
			log.extend(
				{
					"reference_doctype": doctype,
					"reference_name": name,
					"funnel": funnel.name,
					"to_stage": stage,
					"moved_by": "Administrator",
					"moved_on": now,
					"seconds_in_from_stage": 0,
					"comment": "Placed on install",
				}
				for name in names
			)
		insert_transitions(log)
		total += len(rows)
