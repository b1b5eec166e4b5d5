"""Chart payloads shared by the app's reports (Frappe Charts, as Script Reports return them)."""

from __future__ import annotations


def stacked_bar(labels: list[str], series: list[tuple[str, list, str]]) -> dict:
	"""A stacked bar chart: `series` is [(name, values, colour)], one value per label."""
	return {
		"data": {
			"labels": labels,
			"datasets": [{"name": name, "values": values} for name, values, _c in series],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": [colour for _n, _v, colour in series],
	}
