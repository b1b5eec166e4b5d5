"""Benchmark: what the "*" document events of the Card Document Types (funnels/card_types.py) cost
the saves of every other doctype. A Note (not a card) is saved in interleaved batches with the
four dispatchers in the hooks and with them taken out, in one run; the SQL statements of one save
are counted both ways; and the four dispatcher calls alone are timed on the same Note.

Run on a bench site (see benchmarks/run --card-types); everything it writes is rolled back.
Targets: save with / without <= 1.02x; the same number of queries; the four calls in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from common import connect


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--rounds", type=int, default=15, help="rounds of interleaved batches")
	parser.add_argument("--batch", type=int, default=20, help="saves per batch")
	parser.add_argument(
		"--same", action="store_true", help="both sides with the dispatchers: the run's own noise (A/A)"
	)
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from funnel_suite.funnels import card_types
	from funnel_suite.funnels.definitions import settings_card_doctypes
	from funnel_suite.tests.utils import count_queries

	note = frappe.get_doc({"doctype": "Note", "title": "Card types benchmark"}).insert()
	hooks = frappe.get_doc_hooks()["*"]
	with_dispatch = {event: list(handlers) for event, handlers in hooks.items()}
	without = {
		event: [h for h in handlers if not h.startswith("funnel_suite.funnels.card_types.")]
		for event, handlers in with_dispatch.items()
	}
	if args.same:
		without = with_dispatch

	def use(table):
		for event, handlers in table.items():
			hooks[event] = list(handlers)

	def save():
		note.content = frappe.generate_hash()
		note.save()

	def batch():
		started = time.perf_counter()
		for _ in range(args.batch):
			save()
		return (time.perf_counter() - started) / args.batch * 1000

	try:
		save()  # warm
		timings = {"with": [], "without": []}
		order = [("with", with_dispatch), ("without", without)]
		for _ in range(args.rounds):
			order.reverse()  # neither side always runs first
			for name, table in order:
				use(table)
				timings[name].append(batch())
		use(with_dispatch)
		queries_with = count_queries(save)
		use(without)
		queries_without = count_queries(save)
		use(with_dispatch)

		calls = (
			card_types.on_before_validate,
			card_types.on_validate,
			card_types.on_update,
			card_types.on_trash,
		)
		n = 100_000
		started = time.perf_counter()
		for _ in range(n):
			for call in calls:
				call(note)
		dispatch_us = (time.perf_counter() - started) / n * 1e6
	finally:
		use(with_dispatch)
		frappe.db.rollback()

	w, wo = statistics.median(timings["with"]), statistics.median(timings["without"])
	print(f"card doctypes from settings: {list(settings_card_doctypes())}")
	print(
		f"Note save, dispatchers in the hooks:   {w:.2f} ms (median of {args.rounds} batches of {args.batch})"
	)
	print(f"Note save, dispatchers taken out:      {wo:.2f} ms")
	print(f"ratio with / without:                  {w / wo:.3f}")
	print(f"queries of one save, with / without:   {queries_with} / {queries_without}")
	print(f"the four dispatcher calls on a Note:   {dispatch_us:.2f} µs per save")
	return 0 if queries_with == queries_without else 1


if __name__ == "__main__":
	sys.exit(main())
