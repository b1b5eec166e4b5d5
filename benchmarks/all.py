"""Every benchmark in one run, then one table of the figures against the issue's targets.

    benchmarks/run --all [site] [--cards 20000] [--intake-scale 20000] [--repeat-scales 2000]
                               [--reuse-analytics] [--skip-repeat]

Each benchmark runs as it does alone (its own connection, its own clean-up); the scales default
to ones that finish in about a quarter of an hour on a 2-core machine (see the README for how
long each takes at which scale). A figure is a ratio measured in the same run, or a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def _run(module, argv: list[str]) -> tuple[dict, float]:
	started = time.perf_counter()
	saved = sys.argv
	sys.argv = [module.__file__, *argv]
	try:
		module.main()
	finally:
		sys.argv = saved
	return dict(module.RESULTS), time.perf_counter() - started


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--cards", type=int, default=20000, help="cards of the analytics benchmark")
	parser.add_argument("--intake-scale", type=int, default=20000, help="Leads and Contacts each")
	parser.add_argument("--repeat-scales", default="2000", help="customers of the repeat-sales job")
	parser.add_argument("--reuse-analytics", action="store_true", help="data of an earlier --keep run")
	parser.add_argument("--skip-repeat", action="store_true")
	args = parser.parse_args()
	sys.stdout.reconfigure(line_buffering=True)
	site = ["--site", args.site, "--sites-path", args.sites_path]

	import analytics
	import intake
	import move_card
	import repeat_sales

	results: dict = {}
	took: dict[str, float] = {}
	for label, module, argv in (
		("move", move_card, []),
		("intake", intake, ["--scale", str(args.intake_scale)]),
		(
			"analytics",
			analytics,
			["--reuse", "--keep"] if args.reuse_analytics else ["--cards", str(args.cards)],
		),
		*(() if args.skip_repeat else (("repeat", repeat_sales, ["--scales", args.repeat_scales]),)),
	):
		print(f"\n=== {label} ===")
		figures, seconds = _run(module, [*site, *argv])
		results.update(figures)
		took[label] = seconds

	def row(name, value, target, ok, fmt, at_scale=True):
		shown = "n/a" if value is None else fmt.format(value)
		verdict = "" if value is None else ("ok" if ok(value) else "OUTSIDE")
		if verdict and not at_scale:
			verdict += " (not at the target's scale)"
		print(f"  {name:<56}{shown:>12}   {target:<18} {verdict}")

	print(f"\nfunnel_suite benchmarks on {args.site}: figures of this run against the targets")
	print(f"  {'figure':<56}{'measured':>12}   {'target':<18}")
	full = args.cards >= 1_000_000
	row("move / plain save", results.get("move_ratio"), "<= 1.15x", lambda v: v <= 1.15, "{:.2f}x")
	row(
		"extra SQL queries of a move",
		results.get("move_extra_queries"),
		"(fewer = better)",
		lambda v: True,
		"{:.0f}",
	)
	row(
		"move queries flat in the card's history",
		results.get("move_queries_flat"),
		"yes",
		lambda v: v == 1,
		"{:.0f}",
	)
	row("intake() / Lead.insert()", results.get("intake_ratio"), "<= 1.15x", lambda v: v <= 1.15, "{:.2f}x")
	row(
		f"known-person lookup at {args.intake_scale:,} + {args.intake_scale:,}",
		results.get("lookup_ms"),
		"<= 1 ms",
		lambda v: v <= 1,
		"{:.3f} ms",
		args.intake_scale >= 1_000_000,
	)
	row(
		f"Funnel Forecast, slowest combination ({args.cards:,} cards)",
		results.get("forecast_max_ms"),
		"<= 50 ms (1M)",
		lambda v: v <= 50,
		"{:.1f} ms",
		full,
	)
	row(
		f"Stage Velocity, a month ({args.cards:,} cards)",
		results.get("velocity_month_ms"),
		"<= 100 ms (1M)",
		lambda v: v <= 100,
		"{:.1f} ms",
		full,
	)
	scale = f"{results.get('repeat_scale', 0):,.0f} customers"
	row(
		f"Stage Velocity, a year ({args.cards:,} cards)",
		results.get("velocity_year_ms"),
		"<= 100 ms (1M)",
		lambda v: v <= 100,
		"{:.1f} ms",
		full,
	)
	row(
		f"Stage Velocity, slowest histogram run ({args.cards:,} cards)",
		results.get("velocity_max_ms"),
		"<= 100 ms (1M)",
		lambda v: v <= 100,
		"{:.1f} ms",
		full,
	)
	row(
		f"repeat-sales job, normal mode ({scale})",
		results.get("contacts_per_s"),
		"(more = better)",
		lambda v: True,
		"{:.1f}/s",
	)
	row(
		"repeat-sales: the app's own share of a contact",
		results.get("app_share"),
		"<= 20 %",
		lambda v: v <= 20,
		"{:.1f} %",
	)
	row(
		f"repeat-sales job, digest mode ({scale})",
		results.get("digest_per_s"),
		">= 200/s (100k)",
		lambda v: v >= 200,
		"{:.1f}/s",
		results.get("repeat_scale", 0) >= 100_000,
	)
	print("  time taken: " + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()))
	return 0


if __name__ == "__main__":
	sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
	raise SystemExit(main())
