"""The figures of the Procurement Lead Time report, computed by the pure engine."""

from datetime import date

import pytest

from funnel_suite.engine.procurement import CaseFacts, lead_time_rows, median, percentile, period_of

TODAY = date(2026, 12, 2)


def test_median_and_nearest_rank_p90():
	assert median([]) is None
	assert median([8, 15]) == 11.5
	assert median([3, 1, 2]) == 2
	assert percentile([8, 15], 90) == 15
	assert percentile(list(range(1, 11)), 90) == 9
	assert percentile([5], 90) == 5


def test_periods():
	assert period_of(date(2026, 11, 30)) == "2026-11"
	assert period_of(date(2026, 11, 30), "Quarterly") == "2026-Q4"
	assert period_of(date(2026, 1, 1), "Yearly") == "2026"
	with pytest.raises(ValueError):
		period_of(date(2026, 1, 1), "Weekly")


def test_rows_per_supplier_and_period():
	facts = [
		CaseFacts(
			"P1",
			"A",
			date(2026, 11, 2),
			date(2026, 11, 12),
			date(2026, 11, 10),
			date(2026, 11, 12),
			date(2026, 11, 19),
		),
		CaseFacts("P2", "A", date(2026, 11, 2), date(2026, 11, 7), date(2026, 11, 17)),
		CaseFacts(
			"P3", "A", date(2026, 11, 20), date(2026, 12, 20)
		),  # not due yet: not late, not counted on time
		CaseFacts("P4", "B", date(2026, 11, 5), date(2026, 11, 30)),  # due and not received: late
		CaseFacts("P5", "A", date(2026, 10, 30), None, date(2026, 11, 3)),  # no schedule date
	]
	rows = lead_time_rows(facts, TODAY)
	assert [(r["supplier"], r["period"]) for r in rows] == [
		("A", "2026-10"),
		("A", "2026-11"),
		("B", "2026-11"),
	]
	a_nov = rows[1]
	assert a_nov == {
		"supplier": "A",
		"period": "2026-11",
		"cases": 3,
		"received_cases": 2,
		"median_days_to_receipt": 11.5,
		"p90_days_to_receipt": 15.0,
		"on_time_percent": 50.0,
		"late_cases": 1,
		"median_days_to_payment": 7.0,
	}
	assert rows[2]["late_cases"] == 1 and rows[2]["on_time_percent"] == 0.0
	assert rows[2]["median_days_to_receipt"] is None
	assert rows[0]["on_time_percent"] is None and rows[0]["median_days_to_receipt"] == 4
