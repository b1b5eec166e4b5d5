"""The figures of the warranty reports, from per-claim facts (pure Python, no Frappe).

- by branch: claims per period, branch funnel and outcome, how many are closed;
- time to resolution: per branch, from entering the branch funnel to reaching its Won or Lost
  stage (the move log) — resolved claims, median and p90 days;
- repeat claims: serial numbers / items with at least N claims;
- cost: per branch, maintenance visits, parts issued (stock value) and refunds (credit notes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from funnel_suite.engine.procurement import median, percentile, period_of

NO_BRANCH = ""  # a claim still answering its route


@dataclass(frozen=True)
class ClaimFacts:
	claim: str
	claimed_on: date
	branch: str = NO_BRANCH
	outcome: str = ""
	closed: bool = False
	serial_no: str = ""
	item_code: str = ""


@dataclass(frozen=True)
class Move:
	"""One logged move of a claim (Funnel Transition)."""

	claim: str
	funnel: str
	to_stage: str
	moved_on: datetime


def branch_rows(claims: Iterable[ClaimFacts], periodicity: str = "Monthly") -> list[dict]:
	groups: dict[tuple[str, str, str], list[ClaimFacts]] = {}
	for c in claims:
		groups.setdefault((period_of(c.claimed_on, periodicity), c.branch, c.outcome), []).append(c)
	return [
		{
			"period": period,
			"branch": branch,
			"outcome": outcome,
			"claims": len(group),
			"closed": sum(1 for c in group if c.closed),
		}
		for (period, branch, outcome), group in sorted(groups.items())
	]


def resolution_days(moves: Iterable[Move], final_stages: dict[str, set[str]]) -> dict[tuple[str, str], float]:
	"""(claim, branch) -> days from the claim's latest entry into the branch funnel to its first
	move, after that entry, into one of the funnel's Won / Lost stages. Claims never resolved in a
	branch are left out; a claim re-routed to another branch counts in the branch it resolved in."""
	entered: dict[tuple[str, str], datetime] = {}
	done: dict[tuple[str, str], float] = {}
	current: dict[str, str] = {}
	for m in sorted(moves, key=lambda m: (m.moved_on, m.claim)):
		if m.funnel not in final_stages:
			current[m.claim] = m.funnel
			continue
		key = (m.claim, m.funnel)
		if current.get(m.claim) != m.funnel:
			entered[key] = m.moved_on  # entering the branch (again)
			current[m.claim] = m.funnel
			done.pop(key, None)
		if m.to_stage in final_stages[m.funnel] and key in entered and key not in done:
			done[key] = (m.moved_on - entered[key]).total_seconds() / 86400
	return done


def resolution_rows(days: dict[tuple[str, str], float]) -> list[dict]:
	per_branch: dict[str, list[float]] = {}
	for (_claim, branch), value in days.items():
		per_branch.setdefault(branch, []).append(value)
	return [
		{
			"branch": branch,
			"resolved": len(values),
			"median_days": round(median(values), 2),
			"p90_days": round(percentile(values, 90), 2),
		}
		for branch, values in sorted(per_branch.items())
	]


def repeat_rows(claims: Sequence[ClaimFacts], key: str = "serial_no", min_claims: int = 2) -> list[dict]:
	groups: dict[tuple[str, str], list[ClaimFacts]] = {}
	for c in claims:
		value = getattr(c, key)
		if value:
			groups.setdefault((value, c.item_code), []).append(c)
	rows = []
	for (value, item), group in groups.items():
		if len(group) < min_claims:
			continue
		rows.append(
			{
				key: value,
				"item_code": item,
				"claims": len(group),
				"first_claim": min(c.claimed_on for c in group),
				"last_claim": max(c.claimed_on for c in group),
				"outcomes": ", ".join(sorted({c.outcome for c in group if c.outcome})),
			}
		)
	return sorted(rows, key=lambda r: (-r["claims"], r[key]))


def cost_rows(
	claims: Iterable[ClaimFacts],
	visits: dict[str, int],
	parts: dict[str, float],
	refunds: dict[str, float],
) -> list[dict]:
	"""Per branch: claims, maintenance visits, parts value, refunds, total and per claim. `visits`,
	`parts`, `refunds` are per claim."""
	rows: dict[str, dict] = {}
	for c in claims:
		row = rows.setdefault(
			c.branch, {"branch": c.branch, "claims": 0, "visits": 0, "parts_cost": 0.0, "refunds": 0.0}
		)
		row["claims"] += 1
		row["visits"] += visits.get(c.claim, 0)
		row["parts_cost"] += parts.get(c.claim, 0.0)
		row["refunds"] += refunds.get(c.claim, 0.0)
	out = []
	for branch in sorted(rows):
		row = rows[branch]
		row["total_cost"] = round(row["parts_cost"] + row["refunds"], 2)
		row["cost_per_claim"] = round(row["total_cost"] / row["claims"], 2) if row["claims"] else 0.0
		out.append(row)
	return out
