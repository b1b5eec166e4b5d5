"""Benchmark: a stage move of a Production Order with N materials and N works (default 50 + 50)
against a plain `save()` of the same order, interleaved in one run; and the SQL queries of one
move of an order with 5 and with N works beyond those of a plain save of the same order (target:
equal — a save writes every row, the host's cost; what the move adds does not grow with the works).

The moves go Materials issued → Cutting done → … (the works of the stage left are Done, those of
the stage entered have no executor, the materials are already issued), so what is measured is the
move itself: the strict-sequence plan, the works check, the log, the hooks. Opening tasks and
issuing stock are separate, intended costs: one ToDo per work with an executor in the stage
entered, one Stock Entry on the storekeeper's stage (printed for information).

Run on a bench site (see benchmarks/run); everything it writes is rolled back at the end.
Target: move / save <= 1.3x; queries equal for 5 and N works.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from common import connect

STAGES = ("Materials issued", "Cutting done", "Assembly done", "Quality checked", "Ready for delivery")


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--rows", type=int, default=50, help="materials and works per order")
	parser.add_argument("--rounds", type=int, default=15)
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from funnel_suite.api import move_card
	from funnel_suite.funnel_procurement.test_helpers import make_item, warehouse
	from funnel_suite.funnel_production import test_helpers as h
	from funnel_suite.funnels.owned import app_writes
	from funnel_suite.tests.utils import count_queries

	try:
		items = [make_item() for _ in range(5)]

		def order(rows: int):
			"""An order in Materials issued: its materials issued, each later stage with works."""
			doc = h.make_order(
				materials=[(items[i % len(items)], 2) for i in range(rows)],
				works=[(f"Work {i}", STAGES[1 + i % (len(STAGES) - 1)], "") for i in range(rows)],
			)
			with app_writes():  # the issued quantities are the app's: as if the storekeeper had issued
				for row in doc.materials:
					row.issued_qty = row.qty
				doc.save()
			move_card("Production Order", doc.name, "Materials issued")
			return frappe.get_doc("Production Order", doc.name)

		def finish_works(doc):
			for row in doc.works:
				if row.stage == doc.funnel_stage:
					row.status = "Done"
			doc.save()

		def move(doc):
			nxt = STAGES[STAGES.index(doc.funnel_stage) + 1]
			move_card("Production Order", doc.name, nxt)

		def timed(fn) -> float:
			start = time.perf_counter()
			fn()
			return time.perf_counter() - start

		moves, saves = [], []
		warm = order(args.rows)
		finish_works(warm)
		move(warm)
		for i in range(args.rounds):
			doc = order(args.rows)
			finish_works(doc)
			doc = frappe.get_doc("Production Order", doc.name)
			same = frappe.get_doc("Production Order", doc.name)
			for first in ("save", "move") if i % 2 else ("move", "save"):
				if first == "save":
					same = frappe.get_doc("Production Order", doc.name)
					saves.append(timed(same.save))
				else:
					doc = frappe.get_doc("Production Order", doc.name)
					moves.append(timed(lambda d=doc: move(d)))
		few, many = order(5), order(args.rows)
		for doc in (few, many):
			finish_works(doc)
		# a save writes every row of the order (the host's own cost, the same in a plain save): what
		# must not grow is what the move adds to it
		s_few = count_queries(lambda: frappe.get_doc("Production Order", few.name).save())
		s_many = count_queries(lambda: frappe.get_doc("Production Order", many.name).save())
		q_few = count_queries(lambda: move(frappe.get_doc("Production Order", few.name)))
		q_many = count_queries(lambda: move(frappe.get_doc("Production Order", many.name)))

		move_ms, save_ms = statistics.median(moves) * 1000, statistics.median(saves) * 1000
		ratio = move_ms / save_ms
		print(
			f"funnel_suite benchmark: Production Order with {args.rows} materials and {args.rows} works (same run)"
		)
		print(
			f"  stage move {move_ms:8.2f} ms   plain save {save_ms:8.2f} ms   ratio {ratio:5.2f}x"
			f"   (target <= 1.3x, {args.rounds} rounds)"
		)
		print(
			f"  SQL queries of one move: {q_few} with 5 works + 5 materials, {q_many} with {args.rows} + "
			f"{args.rows}; of a plain save: {s_few} and {s_many}"
		)
		print(
			f"  queries the move adds to the save: {q_few - s_few} with 5 works, {q_many - s_many} with "
			f"{args.rows} works   (target: equal)"
		)
		ok = ratio <= 1.3 and q_few - s_few == q_many - s_many
		print("  result:", "within targets" if ok else "OUTSIDE targets")
		return 0
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
