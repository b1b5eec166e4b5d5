# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

"""Lead Source Quality: per source, campaign and UTM source within a period — leads, qualified,
disqualified (by reason), still open, qualification rate; with a chart. Filter by the channel the
inquiry came in through, or split every row by it ("Split by Channel")."""

from __future__ import annotations

from collections import Counter, defaultdict

import frappe
from frappe import _
from frappe.utils import add_days, flt, getdate

from funnel_suite.funnels.charts import stacked_bar

NOT_SET = "—"


def execute(filters=None):
	filters = frappe._dict(filters or {})
	leads = get_leads(filters)
	reasons = sorted({l.funnel_disqualification_reason for l in leads if l.funnel_disqualification_reason})
	by_channel = bool(frappe.utils.cint(filters.get("split_by_channel")))
	rows = summarize(leads, reasons, by_channel)
	return columns(reasons, by_channel), rows, None, chart(rows)


def get_leads(filters) -> list[dict]:
	conditions = []
	if filters.get("from_date") and filters.get("to_date"):
		if getdate(filters.from_date) > getdate(filters.to_date):
			frappe.throw(_("From Date must be before To Date."), title=_("Invalid Period"))
		conditions.append(["creation", ">=", filters.from_date])
		conditions.append(["creation", "<", add_days(filters.to_date, 1)])
	for field, column in (
		("source", "source"),
		("campaign", "campaign_name"),
		("utm_source", "funnel_utm_source"),
		("channel", "funnel_channel"),
	):
		if filters.get(field):
			conditions.append([column, "=", filters.get(field)])
	return frappe.get_list(
		"Lead",
		filters=conditions,
		fields=[
			"source",
			"campaign_name",
			"funnel_utm_source",
			"funnel_channel",
			"qualification_status",
			"funnel_archived",
			"funnel_disqualification_reason",
		],
		limit_page_length=0,
	)


def summarize(leads, reasons, by_channel: bool = False) -> list[dict]:
	groups: dict[tuple, list] = defaultdict(list)
	for lead in leads:
		channel = (lead.get("funnel_channel") or NOT_SET) if by_channel else None
		groups[
			(
				lead.source or NOT_SET,
				lead.campaign_name or NOT_SET,
				lead.funnel_utm_source or NOT_SET,
				channel or "",
			)
		].append(lead)
	rows = []
	for (source, campaign, utm, channel), items in sorted(groups.items()):
		qualified = sum(1 for l in items if l.qualification_status == "Qualified")
		disqualified = sum(1 for l in items if l.funnel_archived and l.qualification_status != "Qualified")
		worked = qualified + disqualified
		row = {
			"source": source,
			"campaign": campaign,
			"utm_source": utm,
			**({"channel": channel} if by_channel else {}),
			"leads": len(items),
			"qualified": qualified,
			"disqualified": disqualified,
			"open": len(items) - worked,
			"qualification_rate": flt(100 * qualified / worked, 1) if worked else 0,
		}
		by_reason = Counter(
			l.funnel_disqualification_reason for l in items if l.funnel_disqualification_reason
		)
		for reason in reasons:
			row[frappe.scrub(reason)] = by_reason[reason]
		rows.append(row)
	return rows


def columns(reasons, by_channel: bool = False) -> list[dict]:
	cols = [
		{"fieldname": "source", "label": _("Source"), "fieldtype": "Data", "width": 150},
		{"fieldname": "campaign", "label": _("Campaign"), "fieldtype": "Data", "width": 150},
		{"fieldname": "utm_source", "label": _("UTM Source"), "fieldtype": "Data", "width": 120},
	]
	if by_channel:
		cols.append({"fieldname": "channel", "label": _("Channel"), "fieldtype": "Data", "width": 110})
	cols += [
		{"fieldname": "leads", "label": _("Leads"), "fieldtype": "Int", "width": 80},
		{"fieldname": "qualified", "label": _("Qualified"), "fieldtype": "Int", "width": 90},
		{"fieldname": "disqualified", "label": _("Disqualified"), "fieldtype": "Int", "width": 100},
		{"fieldname": "open", "label": _("Still Open"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "qualification_rate",
			"label": _("Qualification Rate (%)"),
			"fieldtype": "Percent",
			"width": 150,
		},
	]
	cols += [{"fieldname": frappe.scrub(r), "label": _(r), "fieldtype": "Int", "width": 110} for r in reasons]
	return cols


def chart(rows) -> dict | None:
	if not rows:
		return None
	return stacked_bar(
		[" / ".join(filter(None, (r["source"], r["campaign"], r.get("channel")))) for r in rows],
		[
			(_("Qualified"), [r["qualified"] for r in rows], "#29CD42"),
			(_("Disqualified"), [r["disqualified"] for r in rows], "#FF5858"),
			(_("Still Open"), [r["open"] for r in rows], "#7575FF"),
		],
	)
