"""Benchmark: a stage move of a Production Order with N materials and N works (default 50 + 50)
against a plain `save()` of the same order, interleaved in one run; and the SQL queries of one
move of an order with 5 and with N works beyond those of a plain save of the same order (target:
equal — a save writes every row, the host's cost; what the move adds does not grow with the works).

The moves go Materials issued → Cutting done → … (the works of the stage left are Done, those of
the stage entered have no executor, the materials are already issued), so what is measured is the
move itself: the strict-sequence plan, the works check, the log, the hooks. Opening tasks and
issuing stock are separate, intended costs: one ToDo per work with an executor in the stage
entered, one Stock Entry on the storekeeper's stage (printed for information).

Then (`--job-cards R`, default 8 rounds, 0 to skip) a Job Card submit of a Work Order made from a
production order (the hook marks the order's work of the card's operation Done: one order save)
against the submit of the same kind of Job Card of a Work Order with no order, interleaved; and the
queries the linked submit adds beyond the plain one, for an order with 5 and with N works, less
those of a plain save of that order (target: equal — the hook's own queries do not grow with the
works).

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
	parser.add_argument("--job-cards", type=int, default=8, help="rounds of the Job Card benchmark")
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
		if args.job_cards:
			job_cards(frappe, args.job_cards, args.rows)
		return 0
	finally:
		frappe.db.rollback()
		frappe.destroy()


def job_cards(frappe, rounds: int, rows: int) -> None:
	"""Job Card submit with and without a linked production order (see the module docstring)."""
	from frappe.utils import add_to_date, get_datetime

	from funnel_suite.api import create_work_order
	from funnel_suite.funnel_procurement.test_helpers import make_item
	from funnel_suite.funnel_production import test_helpers as h
	from funnel_suite.tests.utils import count_queries

	h.manufacturing_defaults()
	(operation,) = h.make_operations(("Bench cutting",))
	item = make_item()
	h.make_bom(item, make_item(), (operation,), minutes=(30,))
	slot = [0]

	def card(works: int | None):
		"""A saved Job Card with its time log, of a Work Order made from an order with `works` works
		(one of them the card's operation), or of a plain Work Order (None)."""
		if works is None:
			wo = frappe.new_doc("Work Order")
			wo.update({"production_item": item, "qty": 1, "company": h.company()})
			wo.bom_no = frappe.db.get_value("BOM", {"item": item, "is_default": 1})
			wo.planned_start_date = frappe.utils.now_datetime()
			wo.get_items_and_operations_from_bom()
			wo.insert()
		else:
			order = h.make_order(works=[(f"Work {i}", "Order accepted", "") for i in range(works)])
			order.update({"item_code": item, "qty": 1})
			order.works[0].operation = operation
			order.save()
			wo = frappe.get_doc("Work Order", create_work_order(order.name))
		wo.submit()
		jc = frappe.get_doc("Job Card", {"work_order": wo.name})
		slot[0] += 1
		start = add_to_date(get_datetime("2030-01-01 00:00:00"), hours=slot[0])
		jc.append(
			"time_logs",
			{"from_time": start, "to_time": add_to_date(start, minutes=30), "completed_qty": jc.for_quantity},
		)
		jc.save()
		return jc

	def timed(fn) -> float:
		start = time.perf_counter()
		fn()
		return time.perf_counter() - start

	card(rows).submit()  # warm up
	card(None).submit()
	linked, plain = [], []
	for i in range(rounds):
		pair = {"linked": card(rows), "plain": card(None)}
		for kind in ("plain", "linked") if i % 2 else ("linked", "plain"):
			(linked if kind == "linked" else plain).append(timed(pair[kind].submit))
	extra = {}
	for works in (5, rows):
		with_order, without = card(works), card(None)
		q_linked, q_plain = count_queries(with_order.submit), count_queries(without.submit)
		save = count_queries(
			lambda o=with_order.production_order: frappe.get_doc("Production Order", o).save()
		)
		extra[works] = (q_linked - q_plain, save)
	linked_ms, plain_ms = statistics.median(linked) * 1000, statistics.median(plain) * 1000
	print(f"Job Card submit, order with {rows} works (same run, {rounds} rounds)")
	print(
		f"  linked to an order {linked_ms:8.2f} ms   no order {plain_ms:8.2f} ms   ratio {linked_ms / plain_ms:5.2f}x"
	)
	for works, (added, save) in extra.items():
		print(
			f"  {works:3d} works: the linked submit runs {added} queries more than the plain one; a plain save of"
			f" the order runs {save}; beyond that save: {added - save}"
		)
	same = len({added - save for added, save in extra.values()}) == 1
	print(
		"  result:",
		"hook's own queries equal for 5 and N works" if same else "hook's queries GROW with the works",
	)


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
