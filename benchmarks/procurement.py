"""Benchmark: what the procurement funnel adds to submitting a Purchase Order, a Purchase Receipt
and a Purchase Invoice linked to a case, against the same submits without a case, interleaved in
one run; and the SQL queries of the case hook with 1 and with N documents already linked to the
case.

Run on a bench site (see benchmarks/run); everything it writes is rolled back at the end.
Targets: with case / without <= 1.15x for each document; hook queries equal for 1 and N. The SQL
statements of each submit with and without a case are printed too (they do not depend on the
machine's load, the timings do: compare ratios within one run).
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
	parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (one chain each)")
	parser.add_argument("--linked", type=int, default=30, help="orders already linked to the long case")
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_receipt
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	from funnel_suite.api import make_case_purchase_order
	from funnel_suite.funnel_procurement import moves
	from funnel_suite.funnel_procurement import test_helpers as h
	from funnel_suite.tests.utils import count_queries

	try:
		supplier, item = h.make_supplier(), h.make_item()

		def order(with_case: bool):
			case = h.make_case(supplier=supplier, items=[(item, 5)])
			po = frappe.get_doc(make_case_purchase_order(case.name))
			if not with_case:
				po.procurement_case = None
			return po.insert()

		# Where the time of a submit with a case goes: the app's hook (moves.sync_case) and, inside
		# it, the card's save that moves the case (moves._move: the generic move path).
		spent = {"hook": [0.0, 0.0], "move": [0.0, 0.0]}

		def measured(key: str, fn):
			def wrapper(*a, **kw):
				wall, cpu = time.perf_counter(), time.process_time()
				try:
					return fn(*a, **kw)
				finally:
					spent[key][0] += time.perf_counter() - wall
					spent[key][1] += time.process_time() - cpu

			return wrapper

		moves.sync_case = measured("hook", moves.sync_case)
		moves._move = measured("move", moves._move)

		def timed(fn) -> tuple[float, float, float, float]:
			"""wall and CPU time (this process) of fn, and of the hook and the move inside it"""
			for value in spent.values():
				value[:] = [0.0, 0.0]
			wall, cpu = time.perf_counter(), time.process_time()
			fn()
			return (
				time.perf_counter() - wall,
				time.process_time() - cpu,
				spent["hook"][0],
				spent["move"][0],
			)

		timings = {(doctype, case): [] for doctype in ("PO", "PR", "PI") for case in (True, False)}

		def chain(with_case: bool, record: bool):
			po = order(with_case)
			t_po = timed(po.submit)
			pr = make_purchase_receipt(po.name).insert()
			t_pr = timed(pr.submit)
			pi = make_purchase_invoice(pr.name).insert()
			t_pi = timed(pi.submit)
			if record:
				for key, value in (("PO", t_po), ("PR", t_pr), ("PI", t_pi)):
					timings[(key, with_case)].append(value)

		chain(True, False)  # warm caches
		chain(False, False)

		# the SQL statements of each submit with and without a case (the PO and PR submits move
		# their case: Order placed, Delivered; the PI submit only updates its figures)
		counted: dict[tuple[str, bool], int] = {}

		def counted_chain(with_case: bool):
			po = order(with_case)
			counted[("PO", with_case)] = count_queries(po.submit)
			pr = make_purchase_receipt(po.name).insert()
			counted[("PR", with_case)] = count_queries(pr.submit)
			pi = make_purchase_invoice(pr.name).insert()
			counted[("PI", with_case)] = count_queries(pi.submit)

		counted_chain(True)
		counted_chain(False)
		for i in range(args.rounds):
			for with_case in (i % 2 == 0, i % 2 == 1):  # alternate which goes first
				chain(with_case, True)

		# the hook's queries on a case with 1 and with N submitted orders (no move: Order placed)
		short = h.make_case(supplier=supplier, items=[(item, 5)])
		long = h.make_case(supplier=supplier, items=[(item, 5)])
		short_po = frappe.get_doc(make_case_purchase_order(short.name)).insert()
		short_po.submit()
		long_pos = []
		for _ in range(args.linked):
			po = frappe.get_doc(make_case_purchase_order(long.name)).insert()
			po.submit()
			long_pos.append(po)
		q_short = count_queries(lambda: moves.sync_case(short.name, short_po, cancelled=False))
		q_long = count_queries(lambda: moves.sync_case(long.name, long_pos[-1], cancelled=False))

		print("funnel_suite benchmark: buying documents with and without a procurement case (same run)")
		ok = True

		def median_ms(key: str, with_case: bool, column: int) -> float:
			return statistics.median(t[column] for t in timings[(key, with_case)]) * 1000

		for key, label in (("PO", "Purchase Order"), ("PR", "Purchase Receipt"), ("PI", "Purchase Invoice")):
			with_ms, without_ms = median_ms(key, True, 0), median_ms(key, False, 0)
			ratio = with_ms / without_ms
			cpu_ratio = median_ms(key, True, 1) / median_ms(key, False, 1)
			ok = ok and ratio <= 1.15
			print(
				f"  {label:17s} submit  with case {with_ms:8.2f} ms  without {without_ms:8.2f} ms  "
				f"ratio {ratio:5.2f}x   (target <= 1.15x, {args.rounds} rounds)"
			)
			print(
				f"  {'':17s}   CPU of this process: ratio {cpu_ratio:5.2f}x;  the hook {median_ms(key, True, 2):7.2f} ms, "
				f"of which the card's move {median_ms(key, True, 3):7.2f} ms;  SQL statements "
				f"{counted[(key, True)]} with, {counted[(key, False)]} without"
			)
		print(
			f"  SQL queries of the case hook: {q_short} with 1 linked order, {q_long} with "
			f"{args.linked} linked orders   (target: equal)"
		)
		ok = ok and q_short == q_long
		print("  result:", "within targets" if ok else "OUTSIDE targets")
		return 0
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
