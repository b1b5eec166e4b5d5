"""Benchmark: the funnel reports against ERPNext's own Sales Funnel data method, at scale, in one
run on the same generated data.

1. Generates N cards (default 1,000,000: 40% Leads in a lead funnel, 60% Opportunities in a
   sales funnel) spread over 3 years and 3 companies, with 8 owners, 6 sources and 4
   territories, and their move log (about 2 moves per card, ~2M rows) — bulk INSERTs of a few
   thousand rows, never one save() per row. Names start with BENCH-.
2. Builds the analytics tables from the log with the app's rebuild (timed).
3. Times, per company and for a calendar month, the last 30 days, the last year and 3 years:
   - ERPNext's `erpnext.selling.page.sales_funnel.sales_funnel.get_funnel_data`,
   - the app's Funnel Conversion report for the lead funnel + the sales funnel (the same
     question: how many leads and deals came in and went on), and
   - the same figures counted straight from the move log (what the summary saves),
   and prints the ratios; then Funnel Forecast and the first page of Stale Cards in ms.
Each timing is the median of --repeat runs after one warm-up run (common.timed). Everything generated is
deleted at the end unless --keep.

Run on a bench site (see benchmarks/run):  benchmarks/run --analytics [site] [--cards 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time

from common import connect, timed

BATCH = 4000
RESULTS: dict[str, float] = {}  # what `run --all` tabulates
COMPANIES = ("BENCH Company 1", "BENCH Company 2", "BENCH Company 3")
OWNERS = tuple(f"bench-owner-{i}@example.test" for i in range(8))
SOURCES = tuple(f"BENCH Source {i}" for i in range(6))
TERRITORIES = tuple(f"BENCH Territory {i}" for i in range(4))
LEAD_FUNNEL = "BENCH Lead Funnel"
SALE_FUNNEL = "BENCH Sale Funnel"
LEAD_STAGES = [
	{"stage_name": "New", "stage_type": "Open", "probability": 5, "stale_after_days": 2},
	{"stage_name": "Contacted", "stage_type": "Open", "probability": 20, "stale_after_days": 5},
	{"stage_name": "Qualified", "stage_type": "Won", "probability": 100},
	{"stage_name": "Disqualified", "stage_type": "Lost"},
]
SALE_STAGES = [
	{"stage_name": "Inquiry", "stage_type": "Open", "probability": 10, "stale_after_days": 3},
	{"stage_name": "Proposal", "stage_type": "Open", "probability": 40, "stale_after_days": 7},
	{"stage_name": "Negotiation", "stage_type": "Open", "probability": 70, "stale_after_days": 10},
	{"stage_name": "Won", "stage_type": "Won", "probability": 100},
	{"stage_name": "Lost", "stage_type": "Lost"},
]
# from each open stage: (next stage, probability) — the rest goes to the lost stage
LEAD_PATH = {"New": ("Contacted", 0.7), "Contacted": ("Qualified", 0.55)}
SALE_PATH = {"Inquiry": ("Proposal", 0.75), "Proposal": ("Negotiation", 0.6), "Negotiation": ("Won", 0.6)}


def make_funnels(frappe) -> None:
	for name, doctype, stages in (
		(LEAD_FUNNEL, "Lead", LEAD_STAGES),
		(SALE_FUNNEL, "Opportunity", SALE_STAGES),
	):
		if not frappe.db.exists("Funnel", name):
			frappe.get_doc(
				{
					"doctype": "Funnel",
					"funnel_name": name,
					"document_type": doctype,
					"enabled": 1,
					"stages": stages,
				}
			).insert()
	frappe.db.commit()


def chain(rng, start: dt.datetime, now: dt.datetime, entry: str, path: dict, lost: str):
	"""A card's moves: [(stage, when)], the entry first; stays in an open stage with p=0.35."""
	moves = [(entry, start)]
	stage, when = entry, start
	while stage in path and rng.random() > 0.35:
		when = when + dt.timedelta(days=rng.uniform(0.2, 20))
		if when >= now:
			break
		nxt, p = path[stage]
		stage = nxt if rng.random() < p else lost
		moves.append((stage, when))
	# as in a real pipeline, most cards that went quiet long ago were closed as lost by now
	stage, when = moves[-1]
	if stage in path and (now - when).days > 90 and rng.random() < 0.9:
		closed = when + dt.timedelta(days=rng.uniform(10, 80))
		if closed < now:
			moves.append((lost, closed))
	return moves


def generate(frappe, cards: int, seed: int = 7) -> dict:
	from frappe.utils import now_datetime

	from funnel_suite.funnels.log import FIELDS

	rng = random.Random(seed)
	now = now_datetime().replace(microsecond=0)
	start = now - dt.timedelta(days=3 * 365)
	span = (now - start).total_seconds()
	next_id = (frappe.db.sql("select ifnull(max(name), 0) from `tabFunnel Transition`")[0][0] or 0) + 1
	leads = int(cards * 0.4)
	log_columns = ("name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", *FIELDS)
	log_sql = f"insert into `tabFunnel Transition` ({', '.join(f'`{c}`' for c in log_columns)}) values "
	counts = {"Lead": 0, "Opportunity": 0, "moves": 0}
	for doctype, total, funnel, entry, path, lost in (
		("Lead", leads, LEAD_FUNNEL, "New", LEAD_PATH, "Disqualified"),
		("Opportunity", cards - leads, SALE_FUNNEL, "Inquiry", SALE_PATH, "Lost"),
	):
		for batch_start in range(0, total, BATCH):
			card_rows, log_rows = [], []
			for i in range(batch_start, min(batch_start + BATCH, total)):
				name = f"BENCH-{'LEAD' if doctype == 'Lead' else 'OPP'}-{i:07d}"
				created = start + dt.timedelta(seconds=rng.uniform(0, span))
				company, owner = rng.choice(COMPANIES), rng.choice(OWNERS)
				source, territory = rng.choice(SOURCES), rng.choice(TERRITORIES)
				amount = round(rng.uniform(100, 20000), 2) if doctype == "Opportunity" else 0
				moves = chain(rng, created, now, entry, path, lost)
				stage, since = moves[-1]
				if doctype == "Lead":
					card_rows.append(
						(
							name,
							created,
							since,
							"Administrator",
							owner,
							f"Bench {i}",
							f"Bench {i}",
							"Lead",
							company,
							source,
							territory,
							owner,
							funnel,
							stage,
							since,
							"CRM-LEAD-.YYYY.-",
						)
					)
				else:
					closing = (since + dt.timedelta(days=rng.randint(5, 120))).date()
					status = "Lost" if stage == "Lost" else "Converted" if stage == "Won" else "Open"
					card_rows.append(
						(
							name,
							created,
							since,
							"Administrator",
							owner,
							"Lead",
							f"BENCH-LEAD-{i:07d}",
							status,
							company,
							created.date(),
							"USD",
							1,
							amount,
							amount,
							closing,
							source,
							territory,
							owner,
							funnel,
							stage,
							since,
							f"Bench deal {i}",
							"CRM-OPP-.YYYY.-",
						)
					)
				previous = None
				for stage_name, when in moves:
					log_rows.append(
						(
							next_id,
							when,
							when,
							"Administrator",
							owner,
							0,
							0,
							doctype,
							name,
							funnel,
							None,
							previous[0] if previous else None,
							stage_name,
							owner,
							when,
							int((when - previous[1]).total_seconds()) if previous else 0,
							None,
							company,
							owner,
							source,
							territory,
							amount,
						)
					)
					next_id += 1
					previous = (stage_name, when)
			if doctype == "Lead":
				frappe.db.sql(
					"""insert into `tabLead` (name, creation, modified, modified_by, owner, first_name, lead_name,
					status, company, source, territory, lead_owner, funnel, funnel_stage, funnel_stage_since,
					naming_series) values """
					+ ", ".join(["(" + ", ".join(["%s"] * 16) + ")"] * len(card_rows)),
					[v for row in card_rows for v in row],
				)
			else:
				frappe.db.sql(
					"""insert into `tabOpportunity` (name, creation, modified, modified_by, owner, opportunity_from,
					party_name, status, company, transaction_date, currency, conversion_rate, opportunity_amount,
					base_opportunity_amount, expected_closing, source, territory, opportunity_owner, funnel,
					funnel_stage, funnel_stage_since, title, naming_series) values """
					+ ", ".join(["(" + ", ".join(["%s"] * 23) + ")"] * len(card_rows)),
					[v for row in card_rows for v in row],
				)
			for chunk in range(0, len(log_rows), BATCH):
				part = log_rows[chunk : chunk + BATCH]
				frappe.db.sql(
					log_sql + ", ".join(["(" + ", ".join(["%s"] * len(log_columns)) + ")"] * len(part)),
					[v for row in part for v in row],
				)
			counts[doctype] += len(card_rows)
			counts["moves"] += len(log_rows)
			frappe.db.commit()
	frappe.db.sql(f"select setval(`funnel_transition_id_seq`, {int(next_id)})")
	frappe.db.commit()
	return counts


def measure(frappe, repeat: int, forecast_only: bool = False) -> None:
	from erpnext.selling.page.sales_funnel.sales_funnel import get_funnel_data
	from frappe.utils import add_days, get_first_day, get_last_day, getdate, today

	from funnel_suite.funnel_analytics import reports
	from funnel_suite.funnel_analytics.reports import Filters, _conversion_from_log
	from funnel_suite.funnel_analytics.scope import Scope

	now = getdate(today())
	last_month_end = getdate(get_first_day(now)) - dt.timedelta(days=1)
	windows = [
		("calendar month", getdate(get_first_day(last_month_end)), getdate(get_last_day(last_month_end))),
		("last 30 days", getdate(add_days(now, -30)), now),
		("last year", getdate(add_days(now, -365)), now),
		("3 years", getdate(add_days(now, -3 * 365)), now),
	]
	print(
		f"\n{'window':<16}{'company':<18}{'ERPNext ms':>12}{'app ms':>10}{'ratio':>9}{'log-only ms':>13}{'ratio':>9}"
	)
	ratios: dict[str, list[float]] = {}
	for label, start, end in [] if forecast_only else windows:
		for company in COMPANIES:

			def erpnext():
				get_funnel_data(str(start), str(end), company)

			def app():
				for funnel in (LEAD_FUNNEL, SALE_FUNNEL):
					reports.conversion_report(
						{"funnel": funnel, "from_date": str(start), "to_date": str(end), "company": company}
					)

			def log_only():
				for funnel, doctype in ((LEAD_FUNNEL, "Lead"), (SALE_FUNNEL, "Opportunity")):
					_conversion_from_log(
						Filters(funnel, doctype, start, end, company=company), Scope(doctype, "Administrator")
					)

			e, a, raw = (
				timed(erpnext, repeat, True),
				timed(app, repeat, True),
				timed(log_only, max(1, repeat // 2), True),
			)
			ratios.setdefault(label, []).append(e / a)
			print(f"{label:<16}{company:<18}{e:>12.1f}{a:>10.1f}{e / a:>8.1f}x{raw:>13.1f}{raw / a:>8.1f}x")
	print("\nFunnel Conversion vs ERPNext get_funnel_data (median over companies):")
	for label, values in ratios.items():
		print(f"  {label:<16} {statistics.median(values):7.1f}x faster")
	forecast = timed(lambda: reports.forecast_report({"funnel": SALE_FUNNEL}), repeat, True)
	forecast_all = timed(lambda: reports.forecast_report({}), repeat, True)
	stale = timed(lambda: reports.stale_report({"funnel": SALE_FUNNEL, "limit": 100}), repeat, True)
	stale_all = timed(lambda: reports.stale_report({"limit": 100}), repeat, True)
	print(f"Funnel Forecast (sales funnel)          {forecast:8.1f} ms")
	print(f"Funnel Forecast (every funnel)          {forecast_all:8.1f} ms")
	this_month = getdate(get_first_day(now))
	in_three = getdate(get_last_day(add_days(this_month, 62)))
	combos = [
		("company", {"funnel": SALE_FUNNEL, "company": COMPANIES[0]}),
		("owner", {"funnel": SALE_FUNNEL, "card_owner": OWNERS[0]}),
		("source + territory", {"funnel": SALE_FUNNEL, "source": SOURCES[0], "territory": TERRITORIES[0]}),
		("every funnel, company + owner", {"company": COMPANIES[1], "card_owner": OWNERS[1]}),
		(
			"close in 3 whole months",
			{"funnel": SALE_FUNNEL, "from_date": str(this_month), "to_date": str(in_three)},
		),
		("close from mid-month", {"funnel": SALE_FUNNEL, "from_date": str(add_days(this_month, 14))}),
	]
	combos += [
		("territory", {"funnel": SALE_FUNNEL, "territory": TERRITORIES[1]}),
		("every funnel, close from mid-month", {"from_date": str(add_days(this_month, 14))}),
		(
			"close mid-month to mid-month + 2",
			{
				"funnel": SALE_FUNNEL,
				"from_date": str(add_days(this_month, 9)),
				"to_date": str(add_days(in_three, -12)),
			},
		),
	]
	exact = _exact_forecast(reports)
	forecast_ms = [forecast, forecast_all]
	print(f"{'Funnel Forecast':<48}{'report':>10}{'exact path':>12}{'ratio':>8}   counted from")
	for label, filters in [("sales funnel", {"funnel": SALE_FUNNEL}), ("every funnel", {}), *combos]:
		ms = timed(lambda filters=filters: reports.forecast_report(filters), repeat, True)
		exact_ms = timed(lambda filters=filters: exact(filters), repeat, True)
		summary = {s["label"]: s["value"] for s in reports.forecast_report(filters)[4]}
		path = summary.get("Counted from", "the open cards (this code has one path)")
		print(f"  {label:<46}{ms:8.1f} ms{exact_ms:8.1f} ms{exact_ms / ms:7.1f}x   {path}")
		if reports.forecast_report(filters)[1] != exact(filters)[1]:
			print(f"  !! {label}: the report's rows differ from the exact path's")
		if "exact" not in path:
			forecast_ms.append(ms)
	RESULTS["forecast_max_ms"] = max(forecast_ms)
	print(f"Stale Cards, first 100 (sales funnel)   {stale:8.1f} ms")
	print(f"Stale Cards, first 100 (every funnel)   {stale_all:8.1f} ms")
	measure_velocity(frappe, repeat, windows)


def velocity_path(summary: list) -> str:
	for item in summary:
		if item.get("label") == "Computed from":
			return str(item["value"])
	return "the move log (this code has one path)"


def measure_velocity(frappe, repeat: int, windows=None) -> None:
	"""Stage Velocity of the sales funnel for a calendar month, the last 30 days, a year and 3
	years, without filters and with a company, an owner and a source + territory filter."""
	from frappe.utils import add_days, get_first_day, get_last_day, getdate, today

	from funnel_suite.funnel_analytics import reports

	if windows is None:
		now = getdate(today())
		last_month_end = getdate(get_first_day(now)) - dt.timedelta(days=1)
		windows = [
			("calendar month", getdate(get_first_day(last_month_end)), getdate(get_last_day(last_month_end))),
			("last 30 days", getdate(add_days(now, -30)), now),
			("last year", getdate(add_days(now, -365)), now),
			("3 years", getdate(add_days(now, -3 * 365)), now),
		]
	extra = [
		("", {}),
		("company", {"company": COMPANIES[0]}),
		("owner", {"owner": OWNERS[0]}),
		("source + territory", {"source": SOURCES[0], "territory": TERRITORIES[0]}),
	]
	slowest: dict[str, float] = {}
	for label, start, end in windows:
		for extra_label, extra_filters in extra:
			filters = {"funnel": SALE_FUNNEL, "from_date": str(start), "to_date": str(end)}
			filters.update({("card_owner" if k == "owner" else k): v for k, v in extra_filters.items()})
			ms = timed(lambda filters=filters: reports.velocity_report(filters), repeat, True)
			path = velocity_path(reports.velocity_report(filters)[4])
			name = f"{label}{', ' + extra_label if extra_label else ''}"
			print(f"Stage Velocity, {name:<36}{ms:8.1f} ms   ({path})")
			if not extra_label:
				RESULTS[f"velocity_{label.replace(' ', '_')}_ms"] = ms
			if "histograms" in path:
				# the filters the histograms answer (two of owner, source, territory are exact)
				slowest[label] = max(slowest.get(label, 0.0), ms)
	RESULTS["velocity_month_ms"] = RESULTS.get("velocity_calendar_month_ms", 0.0)
	RESULTS["velocity_year_ms"] = RESULTS.get("velocity_last_year_ms", 0.0)
	RESULTS["velocity_max_ms"] = max(slowest.values(), default=0.0)


def build_velocity(frappe, reused: bool) -> None:
	"""The Stage Velocity histograms from the log (also on reused data a checkout without them
	generated)."""
	try:
		from funnel_suite.funnel_analytics.velocity_buckets import TABLE, rebuild_velocity
	except ImportError:
		return  # a checkout before the histograms
	if reused and frappe.db.sql(f"select 1 from `tab{TABLE}` where funnel = %s limit 1", SALE_FUNNEL):
		return
	started = time.perf_counter()
	rows = rebuild_velocity()
	frappe.db.commit()
	print(
		f"built the velocity histograms from the log in {time.perf_counter() - started:.0f} s: {rows:,} rows"
	)


def _exact_forecast(reports):
	"""Funnel Forecast counted from the open cards one by one (the code before the running totals),
	for the same filters: the report with its rows taken from the exact path."""

	def run(filters):
		if not hasattr(reports, "forecast_rows"):  # this code has only the exact path
			return reports.forecast_report(filters)
		original = reports.forecast_rows
		reports.forecast_rows = lambda f: (reports._forecast_from_cards(f), reports.EXACT_PATH)
		try:
			return reports.forecast_report(filters)
		finally:
			reports.forecast_rows = original

	return run


def cleanup(frappe) -> None:
	for table, where in (
		("Funnel Transition", "reference_name like 'BENCH-%%'"),
		("Funnel Summary", f"funnel in ('{LEAD_FUNNEL}', '{SALE_FUNNEL}')"),
		("Funnel Velocity Bucket", f"funnel in ('{LEAD_FUNNEL}', '{SALE_FUNNEL}')"),
		("Funnel Card State", "reference_name like 'BENCH-%%'"),
		("Funnel Forecast Total", f"funnel in ('{LEAD_FUNNEL}', '{SALE_FUNNEL}')"),
		("Lead", "name like 'BENCH-LEAD-%%'"),
		("Opportunity", "name like 'BENCH-OPP-%%'"),
	):
		if not frappe.db.table_exists(table):
			continue  # a checkout before the table existed
		while True:
			frappe.db.sql(f"delete from `tab{table}` where {where} limit 50000")
			done = frappe.db.sql("select row_count()")[0][0]
			frappe.db.commit()
			if not done:
				break
	for name in (LEAD_FUNNEL, SALE_FUNNEL):
		if frappe.db.exists("Funnel", name):
			frappe.delete_doc("Funnel", name, force=True, ignore_permissions=True)
	frappe.db.commit()


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--cards", type=int, default=1_000_000)
	parser.add_argument("--repeat", type=int, default=5)
	parser.add_argument("--keep", action="store_true", help="keep the generated data")
	parser.add_argument(
		"--reuse", action="store_true", help="measure data generated by an earlier --keep run"
	)
	parser.add_argument(
		"--velocity-only",
		action="store_true",
		help="time only Stage Velocity (and build only what it reads: card states, histograms)",
	)
	parser.add_argument(
		"--forecast-only", action="store_true", help="skip Funnel Conversion against ERPNext (with --reuse)"
	)
	args = parser.parse_args()
	sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens
	frappe = connect(args.site, args.sites_path)
	try:
		from funnel_suite.funnel_analytics.summary import rebuild

		print(f"funnel analytics benchmark on {args.site}")
		if not args.reuse:
			make_funnels(frappe)
			started = time.perf_counter()
			counts = generate(frappe, args.cards)
			print(
				f"generated {counts['Lead']:,} leads, {counts['Opportunity']:,} deals and {counts['moves']:,} moves "
				f"in {time.perf_counter() - started:.0f} s (bulk inserts)"
			)
			started = time.perf_counter()
			if args.velocity_only:
				# Stage Velocity reads the current-stage table and the log (or its histograms), not
				# the summary: at 1M cards its rebuild is the longest part and is left out
				from funnel_suite.funnel_analytics.summary import rebuild_card_state

				rebuilt = {"summary_rows": 0, "card_states": rebuild_card_state()}
			else:
				rebuilt = rebuild()
			frappe.db.commit()
			print(
				f"rebuilt the analytics from the log in {time.perf_counter() - started:.0f} s: "
				f"{rebuilt['summary_rows']:,} summary rows (four grains), {rebuilt['card_states']:,} card states"
			)
		build_velocity(frappe, args.reuse)
		log_rows = frappe.db.sql("select count(*) from `tabFunnel Transition`")[0][0]
		print(f"move log: {log_rows:,} rows")
		if frappe.db.table_exists("Funnel Forecast Total"):
			levels = frappe.db.sql(
				"""select level, count(*), sum(cards) from `tabFunnel Forecast Total`
				where funnel in (%s, %s) group by level order by level""",
				(LEAD_FUNNEL, SALE_FUNNEL),
			)
			print(
				"Funnel Forecast running totals: "
				+ ", ".join(
					f"level {lvl}: {rows:,} rows for {cards:,} open cards" for lvl, rows, cards in levels
				)
			)
		if args.velocity_only:
			measure_velocity(frappe, args.repeat)
		else:
			measure(frappe, args.repeat, args.forecast_only)
		if not args.keep:
			cleanup(frappe)
			print("generated data deleted")
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
