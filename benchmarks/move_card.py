"""Benchmark: the cost of `funnel_suite.api.move_card` against a plain `save()` of the same
Opportunity, measured side by side in one run, and the SQL queries of one move with 1 and
with 500 earlier moves of the same card.

Run on a bench site (see benchmarks/run); everything it writes is rolled back at the end.
Targets: move_card / save <= 1.15x; queries equal for 1 and 500 earlier moves.
The ratio is the median of the per-round ratios (each round times a batch of saves, then a batch
of moves, back to back), which other load on the machine shifts far less than the two medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from common import connect

TARGET = 1.15
RESULTS: dict[str, float] = {}  # what `run --all` tabulates


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--rounds", type=int, default=15, help="rounds of interleaved batches")
	parser.add_argument("--batch", type=int, default=10, help="operations per batch")
	parser.add_argument("--history", type=int, default=500, help="earlier moves of the long-history card")
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from funnel_suite.api import move_card
	from funnel_suite.funnels.card import default_funnel
	from funnel_suite.tests.utils import count_queries

	funnel = frappe.get_doc("Funnel", default_funnel("Opportunity"))
	open_stages = [s.stage_name for s in funnel.stages if s.stage_type == "Open"][:2]
	company = frappe.defaults.get_defaults().get("company") or frappe.get_all("Company", pluck="name")[0]

	def new_card():
		lead = frappe.get_doc(
			{"doctype": "Lead", "first_name": f"Bench {frappe.generate_hash(length=6)}"}
		).insert()
		return frappe.get_doc(
			{
				"doctype": "Opportunity",
				"opportunity_from": "Lead",
				"party_name": lead.name,
				"company": company,
			}
		).insert()

	try:
		card = new_card().name
		counter = {"save": 0, "move": 0}

		def plain_save():
			doc = frappe.get_doc("Opportunity", card)
			counter["save"] += 1
			doc.title = f"Benchmark {counter['save']}"
			doc.save()

		def move():
			counter["move"] += 1
			move_card("Opportunity", card, open_stages[counter["move"] % 2])

		for fn in (plain_save, move, plain_save, move):  # warm caches
			fn()
		timings = {"save": [], "move": []}
		for _ in range(args.rounds):
			for name, fn in (("save", plain_save), ("move", move)):
				start = time.perf_counter()
				for _ in range(args.batch):
					fn()
				timings[name].append((time.perf_counter() - start) / args.batch)
		save_ms = statistics.median(timings["save"]) * 1000
		move_ms = statistics.median(timings["move"]) * 1000
		ratio = statistics.median(m / s for s, m in zip(timings["save"], timings["move"], strict=True))

		short, long = new_card().name, new_card().name
		move_card("Opportunity", short, open_stages[1])  # 1 earlier move
		for i in range(1, args.history + 1):  # the card starts in open_stages[0]
			move_card("Opportunity", long, open_stages[i % 2])
		history = {  # earlier moves = log rows minus the entry row
			name: frappe.db.count(
				"Funnel Transition", {"reference_doctype": "Opportunity", "reference_name": name}
			)
			- 1
			for name in (short, long)
		}

		def other_stage(name):
			return (
				open_stages[1]
				if frappe.db.get_value("Opportunity", name, "funnel_stage") == open_stages[0]
				else open_stages[0]
			)

		short_target, long_target = other_stage(short), other_stage(long)
		q_short = count_queries(lambda: move_card("Opportunity", short, short_target))
		q_long = count_queries(lambda: move_card("Opportunity", long, long_target))

		q_save = count_queries(plain_save)
		print("funnel_suite benchmark: move_card vs plain save (same Opportunity, same run)")
		print(f"  plain save()       median {save_ms:8.2f} ms/op  ({args.rounds} rounds x {args.batch})")
		print(f"  move_card()        median {move_ms:8.2f} ms/op")
		print(f"  ratio move/save    {ratio:8.2f}x   (median of per-round ratios; target <= {TARGET:.2f}x)")
		print(
			f"  SQL queries of one move: {q_short} with {history[short]} earlier move(s), "
			f"{q_long} with {history[long]} earlier moves   (target: equal)"
		)
		print(f"  (for scale: one plain save() of the Opportunity runs {q_save} queries)")
		print(f"  extra SQL queries of a move over a plain save: {q_short - q_save}")
		RESULTS.update(
			move_ratio=ratio, move_extra_queries=q_short - q_save, move_queries_flat=float(q_short == q_long)
		)
		ok = ratio <= TARGET and q_short == q_long
		print("  result:", "within targets" if ok else "OUTSIDE targets")
		return 0
	finally:
		frappe.db.rollback()
		frappe.destroy()


if __name__ == "__main__":
	sys.path.insert(0, os.getcwd())
	raise SystemExit(main())
