"""Lead-source quality: catch the source that brings junk early.

The seed's example: an ad promising free money for a hair-dryer shop brings 1000 leads and no
sale. Once N leads of one source and campaign have been worked (qualified or disqualified)
within the window and fewer than the threshold share of them qualified, every Sales Manager
gets one notification for that source — not one per lead — and a Lead Source Alarm row keeps
the history.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.utils import add_days, cint, flt, now_datetime

from funnel_suite.funnels.card import load_funnel
from funnel_suite.funnels.owned import app_writes


def source_figures(source: str | None, campaign: str | None, since) -> dict:
	"""Leads of one source/campaign created since `since`: worked, qualified, rate (%)."""
	filters = [["creation", ">=", since], ["source", "=", source]]
	filters.append(["campaign_name", "=", campaign] if campaign else ["campaign_name", "is", "not set"])
	rows = frappe.get_all(
		"Lead",
		filters=filters,
		fields=["qualification_status", "funnel_archived", "count(name) as count"],
		group_by="qualification_status, funnel_archived",
	)
	qualified = sum(r.count for r in rows if r.qualification_status == "Qualified")
	disqualified = sum(r.count for r in rows if r.funnel_archived and r.qualification_status != "Qualified")
	worked = qualified + disqualified
	return {
		"worked": worked,
		"qualified": qualified,
		"rate": flt(100 * qualified / worked, 1) if worked else 0.0,
	}


def on_card_moved(doc, entries: list[dict]) -> None:
	"""Hook `funnel_on_move`: a Lead that reached a Won or Lost stage may tip its source over."""
	if doc.doctype != "Lead" or not doc.get("source"):
		return
	final = any(
		(stage := load_funnel(e["funnel"]).stage(e["to_stage"])) is not None and stage.is_final
		for e in entries
	)
	if final:
		check_source(doc.source, doc.get("campaign_name"))


def check_source(source: str, campaign: str | None) -> str | None:
	settings = frappe.get_cached_doc("Funnel Settings")
	window = cint(settings.alarm_window_days) or 30
	since = add_days(now_datetime(), -window)
	figures = source_figures(source, campaign, since)
	if figures["worked"] < (cint(settings.alarm_min_leads) or 20):
		return None
	if figures["rate"] >= flt(settings.alarm_max_rate if settings.alarm_max_rate is not None else 10):
		return None
	already = frappe.db.exists(
		"Lead Source Alarm",
		{"source": source, "campaign": campaign or ("is", "not set"), "raised_on": (">=", since)},
	)
	if already:
		return None
	alarm = frappe.get_doc(
		{
			"doctype": "Lead Source Alarm",
			"source": source,
			"campaign": campaign,
			"raised_on": now_datetime(),
			"leads_processed": figures["worked"],
			"qualified": figures["qualified"],
			"qualification_rate": figures["rate"],
			"window_days": window,
		}
	)
	with app_writes():
		alarm.insert(ignore_permissions=True)
	label = f"{source} / {campaign}" if campaign else source
	make_notification_logs(
		frappe._dict(
			type="Alert",
			document_type="Lead Source Alarm",
			document_name=alarm.name,
			subject=_(
				"Lead source {0} brings junk: {1} of {2} leads worked in the last {3} days qualified ({4}%). Check the ad or stop it."
			).format(frappe.bold(label), figures["qualified"], figures["worked"], window, figures["rate"]),
			from_user="Administrator",
		),
		sales_managers(),
	)
	return alarm.name


def sales_managers() -> list[str]:
	users = frappe.get_all(
		"Has Role", filters={"role": "Sales Manager", "parenttype": "User"}, pluck="parent", distinct=True
	)
	return frappe.get_all(
		"User",
		filters={
			"name": ("in", [u for u in users if u not in ("Administrator", "Guest")] or [""]),
			"enabled": 1,
		},
		pluck="name",
	)
