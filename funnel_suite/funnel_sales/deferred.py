"""Deferred demand and reanimation: "not now" is not "no".

- A loss whose reason belongs to a category marked *Hand to Deferred Demand* (e.g. "Not now")
  hands the deal to the Deferred Demand funnel (Funnel Settings) with a wake-up date: the
  one the salesperson gave in the loss dialog, else today + the default days. The hand-off is
  part of the losing move (same save, logged step by step).
- A daily job wakes the cards whose date has come: moves them to the configured stage (its
  smart task, or else a ToDo, reminds the owner) and clears the date, so a second run does
  nothing.
- A daily job (off by default) opens a linked card in the Reanimation funnel for each deal
  lost more than N days ago with one of the configured categories, once per deal.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import add_days, cint, get_datetime, getdate, nowdate

from funnel_suite.engine import schedule, split_list
from funnel_suite.engine.handoffs import ACTION_CREATE, ACTION_MOVE, HandoffRule
from funnel_suite.funnels.card import load_funnel
from funnel_suite.funnels.tasks import card_owner

BATCH = 200


def _settings():
	return frappe.get_cached_doc("Funnel Settings")


def _deferring_categories() -> set[str]:
	return set(frappe.get_all("Lost Reason Category", filters={"defers_demand": 1}, pluck="name"))


def lost_categories(doc) -> set[str]:
	reasons = [row.lost_reason for row in doc.get("lost_reasons") or []]
	if not reasons:
		return set()
	return set(
		frappe.get_all("Opportunity Lost Reason", filters={"name": ("in", reasons)}, pluck="lost_category")
	) - {None, ""}


def deferred_handoff(doc, funnel: str, stage: str) -> list[HandoffRule]:
	"""Hook `funnel_handoff_rules`: a "not now" loss moves into the Deferred Demand funnel."""
	settings = _settings()
	target = settings.deferred_demand_funnel
	if doc.doctype != "Opportunity" or not target or funnel == target:
		return []
	reached = load_funnel(funnel).stage(stage)
	if not reached or reached.kind != "Lost" or not (lost_categories(doc) & _deferring_categories()):
		return []
	doc.funnel_wake_up_on = wake_up_on(doc)
	return [HandoffRule(funnel, stage, ACTION_MOVE, target, None, name=_("Deferred demand"))]


def wake_up_on(doc) -> str:
	requested = doc.flags.get("funnel_wake_up_on") or None
	try:
		return str(
			schedule.wake_up_date(
				getdate(nowdate()),
				cint(_settings().default_wake_up_days) or 30,
				getdate(requested) if requested else None,
			)
		)
	except ValueError:
		frappe.throw(
			_("The wake-up date must be after today; you entered {0}.").format(frappe.bold(requested)),
			title=_("Invalid Wake-up Date"),
		)


def wake_up_deferred(today=None) -> list[str]:
	"""Daily: move deferred cards whose wake-up date has come to the wake-up stage."""
	settings = _settings()
	if not settings.deferred_demand_funnel:
		return []
	funnel = load_funnel(settings.deferred_demand_funnel)
	stage = funnel.stage(settings.wake_up_stage) or next(
		(s for s in funnel.stages if s.kind == "Open" and s is not funnel.entry_stage), funnel.entry_stage
	)
	today = getdate(today or nowdate())
	due = frappe.get_all(
		"Opportunity",
		# Frappe compares a NULL date as 0001-01-01: without "is set" every woken card would match
		filters=[
			["funnel", "=", funnel.name],
			["funnel_wake_up_on", "is", "set"],
			["funnel_wake_up_on", "<=", today],
		],
		pluck="name",
		order_by="funnel_wake_up_on asc",
	)
	woken = []
	for start in range(0, len(due), BATCH):
		for name in due[start : start + BATCH]:
			if _isolated(name, _wake, name, funnel, stage):
				woken.append(name)
		frappe.db.commit()  # nosemgrep: scheduler job, one commit per batch
	return woken


def _wake(name: str, funnel, stage) -> None:
	doc = frappe.get_doc("Opportunity", name)
	deferred_on = doc.funnel_stage_since
	doc.funnel_wake_up_on = None
	if doc.funnel_stage != stage.name:
		doc.funnel_stage = stage.name
		doc.flags.funnel_move_comment = _("Woken up: the customer deferred the decision")
	# the daily job wakes the deal (settings name the funnel and stage): it acts for the app
	doc.flags.ignore_permissions = True
	doc.save()
	if not stage.next_action:  # the stage's smart task reminds the owner; else this ToDo does
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": card_owner(doc),
				"description": _(
					"{0} deferred the decision on {1}: contact them again with an updated offer."
				).format(doc.get_title(), frappe.utils.format_date(get_datetime(deferred_on))),
				"reference_type": "Opportunity",
				"reference_name": doc.name,
				"date": nowdate(),
			}
		).insert(ignore_permissions=True)


def reanimate_lost_deals(today=None) -> list[str]:
	"""Daily (when enabled): lost deals older than N days with chosen categories get a linked
	card in the Reanimation funnel, once per deal."""
	from funnel_suite.funnels.handoffs import create_linked_card

	settings = _settings()
	if not cint(settings.reanimation_enabled) or not settings.reanimation_funnel:
		return []
	categories = set(split_list(settings.reanimation_categories))
	before = add_days(getdate(today or nowdate()), -cint(settings.reanimation_after_days or 90))
	lost_stages = frappe.get_all(
		"Funnel Stage",
		filters={"parenttype": "Funnel", "stage_type": "Lost", "parent": ("!=", settings.reanimation_funnel)},
		fields=["parent", "stage_name"],
	)
	enrolled = []
	for lost in lost_stages:
		names = frappe.get_all(
			"Opportunity",
			filters=[
				["funnel", "=", lost.parent],
				["funnel_stage", "=", lost.stage_name],
				["funnel_stage_since", "is", "set"],
				["funnel_stage_since", "<", before],
				["funnel_reanimated_on", "is", "not set"],
			],
			pluck="name",
			limit_page_length=0,
		)
		for start in range(0, len(names), BATCH):
			for name in names[start : start + BATCH]:
				doc = frappe.get_doc("Opportunity", name)
				if categories and not (lost_categories(doc) & categories):
					continue
				rule = HandoffRule(lost.parent, lost.stage_name, ACTION_CREATE, settings.reanimation_funnel)
				if _isolated(name, create_linked_card, doc, rule):
					frappe.db.set_value(
						"Opportunity", name, "funnel_reanimated_on", nowdate(), update_modified=False
					)
					enrolled.append(name)
			frappe.db.commit()  # nosemgrep: scheduler job, one commit per batch
	return enrolled


def _isolated(name: str, fn, *args) -> bool:
	"""Run one card's work; a failure is logged with the card named and does not stop the rest."""
	frappe.db.savepoint("funnel_daily")
	try:
		fn(*args)
		return True
	except Exception:
		frappe.db.rollback(save_point="funnel_daily")
		frappe.log_error(
			title=_("Funnel daily job failed for Opportunity {0}").format(name),
			reference_doctype="Opportunity",
			reference_name=name,
		)
		return False
