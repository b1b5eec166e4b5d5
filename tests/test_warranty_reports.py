"""The warranty reports' figures, computed by the pure engine."""

from datetime import date, datetime

from funnel_suite.engine.warranty_reports import (
	ClaimFacts,
	Move,
	branch_rows,
	cost_rows,
	repeat_rows,
	resolution_days,
	resolution_rows,
)

FINAL = {"Repair": {"Returned", "Rejected"}, "Refund": {"Refund paid", "Cancelled"}}


def at(day, hour=0):
	return datetime(2026, 11, day, hour)


def test_claims_by_period_branch_and_outcome():
	claims = [
		ClaimFacts("C1", date(2026, 11, 2), "Repair", "Repair", closed=True),
		ClaimFacts("C2", date(2026, 11, 20), "Repair", "Repair"),
		ClaimFacts("C3", date(2026, 12, 1), "", ""),
	]
	assert branch_rows(claims) == [
		{"period": "2026-11", "branch": "Repair", "outcome": "Repair", "claims": 2, "closed": 1},
		{"period": "2026-12", "branch": "", "outcome": "", "claims": 1, "closed": 0},
	]


def test_time_to_resolution_counts_from_entering_the_branch_to_its_final_stage():
	moves = [
		Move("C1", "Intake", "Registered", at(1)),
		Move("C1", "Repair", "Diagnosed", at(2)),
		Move("C1", "Repair", "Repaired", at(4)),
		Move("C1", "Repair", "Returned", at(6)),  # 4 days in the branch
		Move("C2", "Intake", "Registered", at(1)),
		Move("C2", "Repair", "Diagnosed", at(3)),
		Move("C2", "Refund", "Refund approved", at(5)),  # re-routed: repair never resolved
		Move("C2", "Refund", "Refund paid", at(7, 12)),  # 2.5 days in the refund branch
		Move("C3", "Repair", "Diagnosed", at(1)),  # still open
		Move("C4", "Repair", "Diagnosed", at(1)),
		Move("C4", "Repair", "Rejected", at(11)),  # 10 days
	]
	days = resolution_days(moves, FINAL)
	assert days == {("C1", "Repair"): 4.0, ("C2", "Refund"): 2.5, ("C4", "Repair"): 10.0}
	assert resolution_rows(days) == [
		{"branch": "Refund", "resolved": 1, "median_days": 2.5, "p90_days": 2.5},
		{"branch": "Repair", "resolved": 2, "median_days": 7.0, "p90_days": 10.0},
	]


def test_repeat_claims_per_serial_and_item():
	claims = [
		ClaimFacts("C1", date(2026, 1, 5), outcome="Repair", serial_no="SN1", item_code="DRILL"),
		ClaimFacts("C2", date(2026, 6, 5), outcome="Replace", serial_no="SN1", item_code="DRILL"),
		ClaimFacts("C3", date(2026, 7, 5), serial_no="SN2", item_code="DRILL"),
		ClaimFacts("C4", date(2026, 7, 6), item_code="SAW"),
	]
	assert repeat_rows(claims) == [
		{
			"serial_no": "SN1",
			"item_code": "DRILL",
			"claims": 2,
			"first_claim": date(2026, 1, 5),
			"last_claim": date(2026, 6, 5),
			"outcomes": "Repair, Replace",
		}
	]
	by_item = repeat_rows(claims, key="item_code", min_claims=3)
	assert [(r["item_code"], r["claims"]) for r in by_item] == [("DRILL", 3)]


def test_cost_per_branch():
	claims = [ClaimFacts("C1", date(2026, 11, 1), "Repair"), ClaimFacts("C2", date(2026, 11, 1), "Repair")]
	claims.append(ClaimFacts("C3", date(2026, 11, 1), "Refund"))
	rows = cost_rows(claims, visits={"C1": 2}, parts={"C1": 30.0, "C2": 10.0}, refunds={"C3": 99.5})
	assert rows == [
		{
			"branch": "Refund",
			"claims": 1,
			"visits": 0,
			"parts_cost": 0.0,
			"refunds": 99.5,
			"total_cost": 99.5,
			"cost_per_claim": 99.5,
		},
		{
			"branch": "Repair",
			"claims": 2,
			"visits": 2,
			"parts_cost": 40.0,
			"refunds": 0.0,
			"total_cost": 40.0,
			"cost_per_claim": 20.0,
		},
	]
