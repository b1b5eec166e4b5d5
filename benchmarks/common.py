"""What every benchmark script here shares: a site connection and a median timer."""

from __future__ import annotations

import statistics
import time


def connect(site: str, sites_path: str):
	"""frappe, connected to `site` as Administrator."""
	import frappe

	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	return frappe


def timed(fn, repeat: int, warm_up: bool = False) -> float:
	"""Median wall time of `repeat` runs of fn, in ms (after one untimed run with warm_up)."""
	if warm_up:
		fn()
	samples = []
	for _ in range(repeat):
		started = time.perf_counter()
		fn()
		samples.append(time.perf_counter() - started)
	return statistics.median(samples) * 1000
