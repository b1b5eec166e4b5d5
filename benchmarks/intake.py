"""Benchmark: the intake's key lookup and the intake itself, at scale, in one run.

1. Generates N Leads and N Contacts (default 1,000,000 each) with bulk inserts — one INSERT
   per few thousand rows, never one save() per row — and their Funnel Contact Key rows.
2. Times, for the same random phone numbers:
   - the intake's lookup (the key table's (key_type, key_value) index), and
   - a plain `select name from tabLead where mobile_no = %s` (no index: a table scan),
   and prints the ratio.
3. Times `funnel_suite.api.intake()` for new contacts against a plain `Lead.insert()` of the
   same data and prints the ratio.
Everything it generates is deleted at the end (rows are named BENCH-…).

Run on a bench site (see benchmarks/run):  benchmarks/run --intake [--scale 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from common import connect, timed

BATCH = 5000
RESULTS: dict[str, float] = {}  # what `run --all` tabulates


def phone(i: int) -> str:
	return f"+38067{i:07d}"


def generate(frappe, scale: int) -> None:
	from frappe.utils import now_datetime

	now = now_datetime()
	for start in range(0, scale, BATCH):
		ids = range(start, min(start + BATCH, scale))
		frappe.db.bulk_insert(
			"Lead",
			fields=[
				"name",
				"lead_name",
				"first_name",
				"email_id",
				"mobile_no",
				"status",
				"creation",
				"modified",
			],
			values=[
				(
					f"BENCH-L{i}",
					f"Lead {i}",
					f"Lead {i}",
					f"lead{i}@bench.example",
					phone(i),
					"Lead",
					now,
					now,
				)
				for i in ids
			],
		)
		frappe.db.bulk_insert(
			"Contact",
			fields=["name", "first_name", "email_id", "mobile_no", "creation", "modified"],
			values=[
				(f"BENCH-C{i}", f"Contact {i}", f"contact{i}@bench.example", phone(scale + i), now, now)
				for i in ids
			],
		)
		frappe.db.bulk_insert(
			"Funnel Contact Key",
			fields=[
				"name",
				"key_type",
				"key_value",
				"reference_doctype",
				"reference_name",
				"creation",
				"modified",
			],
			values=[
				row
				for i in ids
				for row in (
					(f"BENCH-KLE{i}", "email", f"lead{i}@bench.example", "Lead", f"BENCH-L{i}", now, now),
					(f"BENCH-KLP{i}", "phone", phone(i), "Lead", f"BENCH-L{i}", now, now),
					(
						f"BENCH-KCE{i}",
						"email",
						f"contact{i}@bench.example",
						"Contact",
						f"BENCH-C{i}",
						now,
						now,
					),
					(f"BENCH-KCP{i}", "phone", phone(scale + i), "Contact", f"BENCH-C{i}", now, now),
				)
			],
		)
		frappe.db.commit()


def cleanup(frappe) -> None:
	for table in ("Funnel Contact Key", "Lead", "Contact"):
		while frappe.db.sql(f"select 1 from `tab{table}` where name like 'BENCH-%%' limit 1"):
			frappe.db.sql(f"delete from `tab{table}` where name like 'BENCH-%%' limit 50000")
			frappe.db.commit()


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--scale", type=int, default=1_000_000, help="Leads and Contacts each")
	parser.add_argument("--lookups", type=int, default=30)
	parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds of inserts / intakes")
	parser.add_argument("--batch", type=int, default=3, help="inserts (and intakes) per round")
	parser.add_argument("--keep", action="store_true", help="keep the generated rows")
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from funnel_suite.api import intake

	try:
		cleanup(frappe)
		started = time.perf_counter()
		generate(frappe, args.scale)
		generated_s = time.perf_counter() - started
		rng = random.Random(7)
		samples = [phone(rng.randrange(args.scale)) for _ in range(args.lookups)]
		frappe.db.sql("select count(*) from `tabLead`")  # warm the table

		def key_lookup():
			value = samples[rng.randrange(len(samples))]
			frappe.db.sql(
				"select reference_doctype, reference_name from `tabFunnel Contact Key` where key_type='phone' and key_value=%s",
				value,
			)

		def scan_lookup():
			value = samples[rng.randrange(len(samples))]
			frappe.db.sql("select name from `tabLead` where mobile_no=%s", value)

		from funnel_suite.funnel_qualification.intake import _lookup

		known = [rng.randrange(args.scale) for _ in range(args.lookups)]

		def app_lookup():
			# what intake() runs for a known person: one locking read of all the inquiry's keys
			i = known[rng.randrange(len(known))]
			assert _lookup([("email", f"lead{i}@bench.example"), ("phone", phone(i))])

		key_ms = timed(key_lookup, args.lookups)
		app_ms = timed(app_lookup, args.lookups, warm_up=True)
		scan_ms = timed(scan_lookup, max(3, args.lookups // 6))

		counter = {"n": 0}

		def new_person():
			counter["n"] += 1
			return f"Bench Person {counter['n']}", f"new{counter['n']}.{os.getpid()}@bench.example"

		def plain_insert():
			name, email = new_person()
			frappe.get_doc({"doctype": "Lead", "first_name": name, "email_id": email}).insert()

		def intake_call():
			name, email = new_person()
			intake(person_name=name, email=email)

		for fn in (plain_insert, intake_call):  # warm caches
			fn()
		# interleaved rounds (a batch of inserts, then a batch of intakes): the ratio is the median of
		# the per-round ratios, which load from other processes shifts far less
		timings = {"insert": [], "intake": []}
		for _ in range(args.rounds):
			for label, fn in (("insert", plain_insert), ("intake", intake_call)):
				started = time.perf_counter()
				for _ in range(args.batch):
					fn()
				timings[label].append((time.perf_counter() - started) / args.batch)
		insert_ms = statistics.median(timings["insert"]) * 1000
		intake_ms = statistics.median(timings["intake"]) * 1000
		ratio = statistics.median(b / a for a, b in zip(timings["insert"], timings["intake"], strict=True))
		RESULTS.update(lookup_ms=app_ms, intake_ratio=ratio)
		frappe.db.rollback()

		print(
			f"funnel_suite intake benchmark: {args.scale:,} Leads + {args.scale:,} Contacts (generated in {generated_s:.0f} s)"
		)
		print(f"  key table lookup (indexed)     median {key_ms:9.3f} ms")
		print(f"  Lead.mobile_no scan (no index) median {scan_ms:9.3f} ms")
		print(f"  ratio scan/lookup              {scan_ms / key_ms:9.1f}x faster with the key table")
		print(f"  intake's own lookup (2 keys)   median {app_ms:9.3f} ms   (target <= 1 ms)")
		print(f"  plain Lead.insert()            median {insert_ms:9.2f} ms")
		print(f"  intake() of a new contact      median {intake_ms:9.2f} ms")
		print(
			f"  ratio intake/insert            {ratio:9.2f}x   (median of per-round ratios; target <= 1.15x)"
		)
		return 0
	finally:
		frappe.db.rollback()
		if not args.keep:
			cleanup(frappe)
		frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
