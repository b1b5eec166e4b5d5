"""Benchmark: what following a warranty route adds to saving a Warranty Claim — a plain edit of a
claim on the starter route against the same edit of a claim with no route (interleaved, same run),
an answer (`answer_warranty_question`, a logged move into a branch when it reaches an outcome)
against a plain save; and the SQL queries of an edit with 1 and with 2 steps on the path.

Run on a bench site (benchmarks/run --warranty); everything it writes is rolled back at the end.
Targets: edit on a route / without <= 1.5x; an edit's queries grow with the path only by the host's
one UPDATE per child row (both claims wait at a question of the claims' default funnel).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from common import connect


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--rounds", type=int, default=20)
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from funnel_suite.api import answer_warranty_question
	from funnel_suite.funnel_warranty import test_helpers as h
	from funnel_suite.tests.utils import count_queries

	try:
		customer, item = h.make_customer(), h.make_item()

		def claim(on_route: bool):
			doc = h.make_claim(customer, serial=h.make_serial(item, 100), item=item)
			if not on_route:
				frappe.db.set_value(
					"Warranty Claim", doc.name, {"warranty_route": None, "warranty_node": None}
				)
				doc.reload()
				doc.set("warranty_decision_path", [])
			return doc

		def edit(doc):
			doc.description = f"edit {time.perf_counter()}"
			start = time.perf_counter()
			doc.save()
			return time.perf_counter() - start

		timings = {True: [], False: []}
		answers, plain = [], []
		docs = {True: claim(True), False: claim(False)}
		edit(docs[True]), edit(docs[False])  # warm caches
		for i in range(args.rounds):
			for on_route in (i % 2 == 0, i % 2 == 1):
				timings[on_route].append(edit(docs[on_route]))
			fresh = claim(True)
			start = time.perf_counter()
			answer_warranty_question(fresh.name, "Defect confirmed?", "Confirmed")
			answers.append(time.perf_counter() - start)
			fresh.reload()
			plain.append(edit(fresh))

		waiting = claim(True)
		deep = claim(True)
		answer_warranty_question(deep.name, "Defect confirmed?", "Confirmed")  # waits at the next question
		deep.reload()
		q_short = count_queries(lambda: edit(waiting))
		q_deep = count_queries(lambda: edit(deep))

		on_ms = statistics.median(timings[True]) * 1000
		off_ms = statistics.median(timings[False]) * 1000
		answer_ms = statistics.median(answers) * 1000
		plain_ms = statistics.median(plain) * 1000
		ratio = on_ms / off_ms
		print("funnel_suite benchmark: Warranty Claim saves with and without a warranty route (same run)")
		print(
			f"  edit on the route {on_ms:8.2f} ms  without a route {off_ms:8.2f} ms  ratio {ratio:5.2f}x  (target <= 1.5x, {args.rounds} rounds)"
		)
		print(
			f"  answer_warranty_question {answer_ms:8.2f} ms  plain save of the same claim {plain_ms:8.2f} ms  ratio {answer_ms / plain_ms:5.2f}x"
		)
		print(
			f"  SQL queries of an edit: {q_short} with 1 step on the path, {q_deep} with 2 steps  (target: +1, the host's update of the one more row)"
		)
		ok = ratio <= 1.5 and q_deep == q_short + 1
		print("  result:", "within targets" if ok else "OUTSIDE targets")
		return 0
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
