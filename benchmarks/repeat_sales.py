"""Benchmark: the repeat-sales daily job over N customers, against the long queue's timeout.

1. Generates N Customers, one submitted-looking Sales Invoice each and one Scheduled Planned
   Contact each, due today, with bulk inserts (one INSERT per few thousand rows, never one
   save() per row), and one enabled One-off Repeat Sale Rule (Event + ToDo by default).
2. Times the daily job the way the workers run it: `run_daily` splits the due contacts into
   chunks of `planner.CHUNK` for the long queue; here each chunk is worked in turn by
   `process_due` (batches of 500, one commit per batch) and timed.
3. Prints wall time, contacts/s, the slowest chunk against the long queue's timeout, and for
   several scales the ratio of the times (10x the customers should take about 10x the time).
Everything it generates (and every Event, its timeline Communication, ToDo, Comment and Error
Log the job made for those customers) is deleted at the end; rows are named BENCH-RS-...

Run on a bench site (see benchmarks/run):  benchmarks/run --repeat [site] [--scales 10000,100000]
"""

from __future__ import annotations

import argparse
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
	parser.add_argument("--keep", action="store_true", help="keep the generated rows")
	args = parser.parse_args()
	scales = [1000, 10000] if args.quick else [int(s) for s in args.scales.split(",")]
	actions = {a.strip() for a in args.actions.split(",") if a.strip()}

	frappe = connect(args.site, args.sites_path)
	from frappe.utils.background_jobs import get_queues_timeout

	from funnel_suite.funnel_repeat_sales import planner

	timeout = get_queues_timeout()["long"]
	today = planner.local_today()
	results = []
	try:
		if frappe.db.get_value("Repeat Sale Rule", {"enabled": 1, "name": ("!=", RULE)}):
			print("note: other enabled repeat-sale rules exist on this site; only due contacts count")
		for scale in scales:
			cleanup(frappe)
			t0 = time.perf_counter()
			generate(frappe, scale, today, actions, args.due)
			generated = time.perf_counter() - t0
			wall, slowest, counts = run_job(frappe, today)
			results.append((scale, wall))
			due = sum(counts.values())
			RESULTS["contacts_per_s"] = due / wall if wall else 0.0
			RESULTS["repeat_scale"] = scale
			print(
				f"{scale:>8,} customers, {due:,} due: generated in {generated:6.1f} s; daily job {wall:8.1f} s wall, "
				f"{due / wall:7.1f} contacts/s, slowest chunk of {planner.CHUNK:,} {slowest:6.1f} s "
				f"(long queue timeout {timeout} s); {counts}"
			)
			if not args.keep:
				cleanup(frappe)
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


if __name__ == "__main__":
	raise SystemExit(main())
