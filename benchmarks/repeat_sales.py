"""Benchmark: the repeat-sales daily job over N customers, against the host's own inserts.

1. Generates N Customers, one submitted-looking Sales Invoice each and one Scheduled Planned
   Contact each, due today, with bulk inserts (one INSERT per few thousand rows, never one
   save() per row), and one enabled One-off Repeat Sale Rule (Event + ToDo by default).
2. Normal mode: the first --normal-sample due contacts are worked batch by batch (500, one
   commit each, as `process_due` does), interleaved with a *bare* Event + ToDo insert for as many
   customers (the host's controllers and nothing else, the order swapping every batch). The
   app's own share of a contact = (job - bare) / job, per contact, with the queries of each.
3. Digest mode (the rule's "One reminder per account owner per day"): the rest of the due
   contacts are worked the way the workers run it: `run_daily` splits them into chunks of
   `planner.CHUNK` for the long queue; here each chunk is worked in turn by `process_due`.
4. Prints contacts/s of each mode, the app's share, the slowest chunk against the long queue's
   timeout. `--modes normal` measures only the normal-mode sample (a checkout without the digest
   option); with `--normal-sample 0` the whole day's job is timed chunk by chunk instead.
   `--before CHECKOUT` first runs the normal-mode measurement with funnel_suite imported from
   another checkout (the code before a change) and prints before / after side by side.
Everything it generates (and every Event, its timeline Communication, ToDo, Comment, digest,
Version and Error Log the job made for those customers) is deleted at the end; rows are named
BENCH-RS-...

Run on a bench site (see benchmarks/run):  benchmarks/run --repeat [site] [--scales 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import time

from common import connect

BATCH = 5000
PREFIX = "BENCH-RS-"
RULE = "BENCH-RS-Rule"
RESULTS: dict[str, float] = {}  # what `run --all` tabulates


def generate(frappe, scale: int, today, actions: set[str], due: int | None = None) -> None:
	from frappe.utils import add_days, now_datetime

	from funnel_suite.engine.repeat import contact_key

	now = now_datetime()
	company = frappe.db.get_value("Company", {}, "name", order_by="creation asc")
	currency = frappe.db.get_value("Company", company, "default_currency")
	group = frappe.db.get_value("Customer Group", {"is_group": 0}, "name") or "All Customer Groups"
	territory = frappe.db.get_value("Territory", {"is_group": 0}, "name") or "All Territories"
	frappe.get_doc(
		{
			"doctype": "Repeat Sale Rule",
			"rule_name": RULE,
			"enabled": 1,
			"trigger_doctype": "Sales Invoice",
			"mode": "One-off",
			"interval": 90,
			"interval_unit": "Days",
			"create_event": int("event" in actions),
			"create_todo": int("todo" in actions),
		}
	).insert()
	bought = add_days(today, -90)
	for start in range(0, scale, BATCH):
		ids = range(start, min(start + BATCH, scale))
		frappe.db.bulk_insert(
			"Customer",
			fields=[
				"name",
				"customer_name",
				"customer_type",
				"customer_group",
				"territory",
				"creation",
				"modified",
				"owner",
				"modified_by",
			],
			values=[
				(
					f"{PREFIX}C{i}",
					f"Bench customer {i}",
					"Company",
					group,
					territory,
					now,
					now,
					"Administrator",
					"Administrator",
				)
				for i in ids
			],
		)
		frappe.db.bulk_insert(
			"Sales Invoice",
			fields=[
				"name",
				"customer",
				"customer_name",
				"company",
				"currency",
				"posting_date",
				"due_date",
				"docstatus",
				"is_return",
				"creation",
				"modified",
				"owner",
				"modified_by",
			],
			values=[
				(
					f"{PREFIX}SI{i}",
					f"{PREFIX}C{i}",
					f"Bench customer {i}",
					company,
					currency,
					bought,
					bought,
					1,
					0,
					now,
					now,
					"Administrator",
					"Administrator",
				)
				for i in ids
			],
		)
		frappe.db.bulk_insert(
			"Planned Contact",
			fields=[
				"name",
				"customer",
				"customer_name",
				"rule",
				"mode",
				"status",
				"due_date",
				"source_doctype",
				"source_name",
				"source_date",
				"contact_key",
				"creation",
				"modified",
				"owner",
				"modified_by",
			],
			values=[
				(
					f"{PREFIX}PC{i:07d}",
					f"{PREFIX}C{i}",
					f"Bench customer {i}",
					RULE,
					"One-off",
					"Scheduled",
					today if due is None or i < due else add_days(today, 1 + i % 60),
					"Sales Invoice",
					f"{PREFIX}SI{i}",
					bought,
					contact_key(RULE, f"{PREFIX}C{i}", "One-off", "Sales Invoice", f"{PREFIX}SI{i}"),
					now,
					now,
					"Administrator",
					"Administrator",
				)
				for i in ids
			],
		)
		frappe.db.commit()


def _delete(frappe, sql: str) -> None:
	while True:
		frappe.db.sql(sql + " limit 20000")
		done = frappe.db.sql("select row_count()")[0][0]
		frappe.db.commit()
		if not done:
			return


def cleanup(frappe) -> None:
	like = f"{PREFIX}%%"
	pc = "`tabPlanned Contact` pc"
	where = f"where pc.name like '{like}'"
	# joins on indexed columns (a nested IN over a derived table is quadratic in MariaDB)
	for sql in (
		f"delete cl from {pc} join `tabCommunication` c on c.reference_doctype='Event' and c.reference_name=pc.created_event join `tabCommunication Link` cl on cl.parent=c.name {where}",
		f"delete c from {pc} join `tabCommunication` c on c.reference_doctype='Event' and c.reference_name=pc.created_event {where}",
		f"delete ep from {pc} join `tabEvent Participants` ep on ep.parent=pc.created_event {where}",
		f"delete e from {pc} join `tabEvent` e on e.name=pc.created_event {where}",
	):
		frappe.db.sql(sql.replace("%%", "%"))
		frappe.db.commit()
	_delete_bare(frappe)
	if frappe.db.table_exists("Repeat Sale Digest"):
		digests = "`tabRepeat Sale Digest` d"
		for sql in (
			f"delete v from {digests} join `tabVersion` v on v.ref_doctype='Event' and v.docname=d.event where d.rule='{RULE}'",
			f"delete e from {digests} join `tabEvent` e on e.name=d.event where d.rule='{RULE}'",
			f"delete t from {digests} join `tabToDo` t on t.reference_type='Repeat Sale Digest' and t.reference_name=d.name where d.rule='{RULE}'",
			f"delete c from {digests} join `tabComment` c on c.reference_doctype='Repeat Sale Digest' and c.reference_name=d.name where d.rule='{RULE}'",
			f"delete from `tabRepeat Sale Digest` where rule='{RULE}'",
		):
			frappe.db.sql(sql)
			frappe.db.commit()
	_delete(frappe, f"delete from `tabToDo` where reference_type='Customer' and reference_name like '{like}'")
	_delete(
		frappe,
		f"delete from `tabComment` where reference_doctype='Customer' and reference_name like '{like}'",
	)
	_delete(
		frappe,
		f"delete from `tabError Log` where reference_doctype='Customer' and reference_name like '{like}'",
	)
	for table in ("Planned Contact", "Sales Invoice", "Customer", "Repeat Sale Rule"):
		_delete(frappe, f"delete from `tab{table}` where name like '{like}'")
	from funnel_suite.funnel_repeat_sales.planner import clear_rules_cache

	clear_rules_cache()


BARE_EVENTS: list[str] = []  # the baseline's Events, deleted by cleanup


def _delete_bare(frappe) -> None:
	while BARE_EVENTS:
		names = tuple(BARE_EVENTS[-2000:])
		del BARE_EVENTS[-2000:]
		frappe.db.sql(
			"delete cl from `tabCommunication` c join `tabCommunication Link` cl on cl.parent=c.name "
			"where c.reference_doctype='Event' and c.reference_name in %s",
			(names,),
		)
		frappe.db.sql(
			"delete from `tabCommunication` where reference_doctype='Event' and reference_name in %s",
			(names,),
		)
		frappe.db.sql("delete from `tabEvent Participants` where parent in %s", (names,))
		frappe.db.sql("delete from `tabEvent` where name in %s", (names,))
		frappe.db.commit()


def bare_pairs(frappe, customers: list[str], due) -> None:
	"""The host's own work for a contact and nothing else: an Event (with the customer as its
	participant, hence the timeline Communication) and a ToDo on the customer (hence the
	assignment Comment and the customer's _assign), both inserted through their controllers
	exactly as the job inserts them; one commit at the end like a batch of the job."""
	from frappe.utils import get_datetime, getdate

	for customer in customers:
		event = frappe.get_doc(
			{
				"doctype": "Event",
				"subject": f"Repeat sale: contact {customer}",
				"event_category": "Call",
				"event_type": "Private",
				"starts_on": get_datetime(f"{getdate(due)} 09:00:00"),
				"ends_on": get_datetime(f"{getdate(due)} 09:30:00"),
				"description": f"Bench customer {customer} bought and has not bought again.",
				"event_participants": [{"reference_doctype": "Customer", "reference_docname": customer}],
			}
		).insert(ignore_permissions=True)
		BARE_EVENTS.append(event.name)
		frappe.get_doc(
			{
				"doctype": "ToDo",
				"allocated_to": "Administrator",
				"description": f"Bench customer {customer} bought and has not bought again.",
				"reference_type": "Customer",
				"reference_name": customer,
				"date": getdate(due),
				"assigned_by": "Administrator",
			}
		).insert(ignore_permissions=True)
	frappe.db.commit()


def _counting(frappe):
	"""(start, stop) of a query counter on frappe.db.sql (as funnel_suite.tests.utils counts)."""
	cls = frappe.db.__class__
	original = cls.sql
	seen = [0]

	def counting(db, *args, **kwargs):
		seen[0] += 1
		return original(db, *args, **kwargs)

	def start():
		cls.sql = counting

	def stop():
		cls.sql = original
		return seen[0]

	return start, stop


def run_against_bare(frappe, today, sample: int, slice_size: int = 100) -> dict:
	"""The job's normal mode slice by slice (`process_due` over `slice_size` contacts, one commit
	each), interleaved with a bare Event + ToDo insert for as many customers (one commit each;
	the order swaps every slice, so neither side always runs first on this shared machine):
	per-contact times and queries of both, and the median of the slices' shares."""
	import statistics

	from funnel_suite.funnel_repeat_sales import planner

	planner.clear_rules_cache()
	rows = frappe.get_all(
		"Planned Contact",
		filters=planner._due_filters(today, [r.name for r in planner.enabled_rules()]),
		fields=["name", "customer"],
		order_by="name asc",
		limit_page_length=sample,
	)
	job = bare = 0.0
	job_q = bare_q = 0
	done = 0
	shares = []
	for i, start in enumerate(range(0, len(rows), slice_size)):
		chunk = rows[start : start + slice_size]

		def run_job_chunk(chunk=chunk):
			begin, end = _counting(frappe)
			begin()
			t0 = time.perf_counter()
			try:
				counts = planner.process_due(today, chunk[0].name, chunk[-1].name)
			finally:
				took = time.perf_counter() - t0
				queries = end()
			return took, queries, counts.get("Done", 0)

		def run_bare_chunk(chunk=chunk):
			begin, end = _counting(frappe)
			begin()
			t0 = time.perf_counter()
			try:
				bare_pairs(frappe, [r.customer for r in chunk], today)
			finally:
				took = time.perf_counter() - t0
				queries = end()
			return took, queries

		if i % 2:
			b = run_bare_chunk()
			j = run_job_chunk()
		else:
			j = run_job_chunk()
			b = run_bare_chunk()
		job += j[0]
		job_q += j[1]
		done += j[2]
		bare += b[0]
		bare_q += b[1]
		shares.append((j[0] - b[0]) / j[0] if j[0] else 0.0)
	n = len(rows)
	return {
		"contacts": n,
		"slices": len(shares),
		"done": done,
		"job_ms": job / n * 1000,
		"bare_ms": bare / n * 1000,
		"job_queries": job_q / n,
		"bare_queries": bare_q / n,
		"median_share": statistics.median(shares) if shares else 0.0,
	}


def set_digest(frappe, on: bool) -> None:
	from funnel_suite.funnel_repeat_sales import planner

	frappe.db.set_value("Repeat Sale Rule", RULE, "digest", int(on))
	frappe.db.commit()
	planner.clear_rules_cache()


def run_job(frappe, today) -> tuple[float, float, dict]:
	"""(wall seconds, slowest chunk seconds, counts) of the daily job, chunk by chunk."""
	from funnel_suite.funnel_repeat_sales import planner

	planner.clear_rules_cache()
	names = frappe.get_all(
		"Planned Contact",
		filters=planner._due_filters(today, [r.name for r in planner.enabled_rules()]),
		pluck="name",
		order_by="name asc",
	)
	counts: dict[str, int] = {}
	slowest = 0.0
	started = time.perf_counter()
	for start in range(0, len(names), planner.CHUNK):
		chunk = names[start : start + planner.CHUNK]
		t0 = time.perf_counter()
		for status, n in planner.process_due(today, chunk[0], chunk[-1]).items():
			counts[status] = counts.get(status, 0) + n
		slowest = max(slowest, time.perf_counter() - t0)
	return time.perf_counter() - started, slowest, counts


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--scales", default="10000,100000", help="comma-separated customer counts")
	parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 customers")
	parser.add_argument("--actions", default="event,todo", help="event and/or todo")
	parser.add_argument(
		"--due",
		type=int,
		help="only this many contacts are due today (the others later): the job's cost at a fixed "
		"due volume while the tables grow",
	)
	parser.add_argument(
		"--normal-sample",
		type=int,
		default=1000,
		help="contacts worked in normal mode against the bare Event + ToDo insert (the rest of the "
		"due contacts are worked in digest mode, or not at all with --modes normal); 0 = no bare "
		"comparison, the whole day's job timed in the mode(s) given",
	)
	parser.add_argument(
		"--slice", type=int, default=100, help="contacts per interleaved slice of the normal mode"
	)
	parser.add_argument(
		"--modes",
		default="normal,digest",
		help="normal and/or digest (a checkout without the digest option: normal)",
	)
	parser.add_argument("--keep", action="store_true", help="keep the generated rows")
	parser.add_argument(
		"--before",
		metavar="CHECKOUT",
		help="first run the same normal-mode measurement with funnel_suite imported from CHECKOUT "
		"(e.g. an export of the commit before a change: git archive COMMIT | tar -x -C DIR), then "
		"this checkout, and print both side by side",
	)
	parser.add_argument("--results-json", help=argparse.SUPPRESS)
	args = parser.parse_args()
	before = _run_before(args) if args.before else None
	scales = [1000, 10000] if args.quick else [int(s) for s in args.scales.split(",")]
	actions = {a.strip() for a in args.actions.split(",") if a.strip()}
	modes = {m.strip() for m in args.modes.split(",") if m.strip()}

	frappe = connect(args.site, args.sites_path)
	from frappe.utils.background_jobs import get_queues_timeout

	from funnel_suite.funnel_repeat_sales import planner

	timeout = get_queues_timeout()["long"]
	today = planner.local_today()
	results = []
	try:
		if frappe.db.get_value("Repeat Sale Rule", {"enabled": 1, "name": ("!=", RULE)}):
			print("note: other enabled repeat-sales rules exist on this site; only due contacts count")
		for scale in scales:
			cleanup(frappe)
			t0 = time.perf_counter()
			generate(frappe, scale, today, actions, args.due)
			generated = time.perf_counter() - t0
			print(f"{scale:>8,} customers: generated in {generated:6.1f} s")
			if "normal" in modes and args.normal_sample:
				m = run_against_bare(frappe, today, args.normal_sample, args.slice)
				share = (m["job_ms"] - m["bare_ms"]) / m["job_ms"] if m["job_ms"] else 0.0
				RESULTS["contacts_per_s"] = 1000 / m["job_ms"]
				RESULTS["bare_per_s"] = 1000 / m["bare_ms"]
				RESULTS["app_share"] = share * 100
				RESULTS["app_queries"] = m["job_queries"] - m["bare_queries"]
				RESULTS["repeat_scale"] = scale
				print(
					f"  normal mode, {m['contacts']:,} contacts ({m['done']:,} done) interleaved with a bare "
					f"Event + ToDo insert per customer:\n"
					f"    job  {m['job_ms']:7.1f} ms/contact = {1000 / m['job_ms']:6.1f} contacts/s, "
					f"{m['job_queries']:5.1f} queries/contact\n"
					f"    bare {m['bare_ms']:7.1f} ms/contact = {1000 / m['bare_ms']:6.1f} contacts/s, "
					f"{m['bare_queries']:5.1f} queries/contact\n"
					f"    the app's own share of a contact: {share * 100:5.1f} % (target <= 20 %; median of "
					f"{m['slices']} slices {m['median_share'] * 100:5.1f} %), "
					f"{m['job_queries'] - m['bare_queries']:+.1f} queries"
				)
			if "digest" in modes:
				set_digest(frappe, True)
			elif args.normal_sample:
				# normal mode measured on its sample; the rest of the day is left undone
				if not args.keep:
					cleanup(frappe)
				continue
			wall, slowest, counts = run_job(frappe, today)
			due = sum(counts.values())
			mode = "digest" if "digest" in modes else "normal"
			if due:
				results.append((scale, wall))
				RESULTS[f"{mode}_job_per_s"] = due / wall if wall else 0.0
				RESULTS["repeat_scale"] = scale
			if mode == "digest" and due:
				digests = frappe.db.count("Repeat Sale Digest", {"rule": RULE})
				RESULTS["digest_per_s"] = due / wall
				print(
					f"  digest mode, {due:,} contacts: {wall:8.1f} s wall, {due / wall:7.1f} contacts/s "
					f"(target >= 200/s), {digests:,} digest parts; slowest chunk of {planner.CHUNK:,} "
					f"{slowest:6.1f} s (long queue timeout {timeout} s); {counts}"
				)
			elif due:
				print(
					f"  daily job {wall:8.1f} s wall, {due / wall:7.1f} contacts/s, slowest chunk of "
					f"{planner.CHUNK:,} {slowest:6.1f} s (long queue timeout {timeout} s); {counts}"
				)
			if not args.keep:
				cleanup(frappe)
		if before is not None:
			_print_before_after(before, RESULTS)
		if len(results) > 1:
			base_scale, base_wall = results[0]
			for scale, wall in results[1:]:
				expected = 1 if args.due else scale / base_scale
				print(
					f"time({scale:,}) / time({base_scale:,}) = {wall / base_wall:.2f} "
					f"({'linear' if not args.due else 'independent of the table size'} would be {expected:.0f})"
				)
		return 0
	finally:
		frappe.db.rollback()
		if not args.keep:
			cleanup(frappe)
		frappe.destroy()
		if args.results_json:
			with open(args.results_json, "w") as out:
				json.dump(RESULTS, out)


def _run_before(args) -> dict:
	"""This script's normal mode in a child process importing funnel_suite from args.before."""
	import os
	import subprocess
	import sys
	import tempfile

	with tempfile.NamedTemporaryFile(suffix=".json") as out:
		argv = [sys.executable, os.path.abspath(__file__), "--site", args.site, "--sites-path"]
		argv += [args.sites_path, "--scales", args.scales, "--actions", args.actions, "--modes", "normal"]
		argv += ["--normal-sample", str(args.normal_sample), "--slice", str(args.slice)]
		argv += ["--results-json", out.name]
		print(f"--- before: funnel_suite from {args.before} ---", flush=True)
		subprocess.run(argv, env={**os.environ, "PYTHONPATH": args.before}, check=True)
		print("--- after: this checkout ---", flush=True)
		with open(out.name) as f:
			return json.load(f)


def _print_before_after(before: dict, after: dict) -> None:
	def fmt(results, key, pattern):
		return pattern.format(results[key]) if key in results else "n/a"

	print("  before / after (same site, same scale, one run each):")
	for label, key, pattern in (
		("normal mode contacts/s", "contacts_per_s", "{:.1f}/s"),
		("bare Event + ToDo contacts/s", "bare_per_s", "{:.1f}/s"),
		("the app's own share of a contact", "app_share", "{:.1f} %"),
		("the app's own queries per contact", "app_queries", "{:+.1f}"),
		("digest mode contacts/s", "digest_per_s", "{:.1f}/s"),
	):
		print(f"    {label:<36}{fmt(before, key, pattern):>10}  ->{fmt(after, key, pattern):>10}")


if __name__ == "__main__":
	raise SystemExit(main())
