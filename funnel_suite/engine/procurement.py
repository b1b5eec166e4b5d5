"""Procurement lead times: the figures of the Procurement Lead Time report, from per-case facts.

Pure Python (no Frappe): the report reads the facts of each case from its buying documents and
hands them here. Per supplier and period (of the first order's date): cases, median and p90 days
from the first order to full receipt, on-time delivery % (fully received by the orders' latest
schedule date, of the cases received or already due), late cases (received after that date, or
not yet fully received and past it), median days from the first invoice to full payment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

PERIODICITIES = ("Monthly", "Quarterly", "Yearly")


@dataclass(frozen=True)
class CaseFacts:
	case: str
	supplier: str
	ordered_on: date
	promised_by: date | None = None
	received_on: date | None = None  # the day the receipts covered every item
	invoiced_on: date | None = None
	paid_on: date | None = None  # the day the invoices were fully paid


def period_of(day: date, periodicity: str = "Monthly") -> str:
	if periodicity == "Yearly":
		return f"{day.year}"
	if periodicity == "Quarterly":
		return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
	if periodicity == "Monthly":
		return f"{day.year}-{day.month:02d}"
	raise ValueError(f"periodicity '{periodicity}'; allowed: {', '.join(PERIODICITIES)}")


def median(values: Sequence[float]) -> float | None:
	ordered = sorted(values)
	if not ordered:
		return None
	mid = len(ordered) // 2
	return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: Sequence[float], pct: float) -> float | None:
	"""Nearest-rank percentile (a value that occurs in the data)."""
	ordered = sorted(values)
	if not ordered:
		return None
	rank = max(1, math.ceil(pct / 100 * len(ordered)))
	return float(ordered[rank - 1])


def is_late(f: CaseFacts, today: date) -> bool:
	if f.promised_by is None:
		return False
	if f.received_on is not None:
		return f.received_on > f.promised_by
	return f.promised_by < today


def lead_time_rows(facts: Iterable[CaseFacts], today: date, periodicity: str = "Monthly") -> list[dict]:
	groups: dict[tuple[str, str], list[CaseFacts]] = {}
	for f in facts:
		groups.setdefault((f.supplier, period_of(f.ordered_on, periodicity)), []).append(f)
	rows = []
	for (supplier, period), cases in sorted(groups.items()):
		lead = [(f.received_on - f.ordered_on).days for f in cases if f.received_on]
		due = [f for f in cases if f.promised_by and (f.received_on or f.promised_by < today)]
		on_time = [f for f in due if f.received_on and f.received_on <= f.promised_by]
		pay = [(f.paid_on - f.invoiced_on).days for f in cases if f.paid_on and f.invoiced_on]
		rows.append(
			{
				"supplier": supplier,
				"period": period,
				"cases": len(cases),
				"received_cases": len(lead),
				"median_days_to_receipt": median(lead),
				"p90_days_to_receipt": percentile(lead, 90),
				"on_time_percent": round(100.0 * len(on_time) / len(due), 1) if due else None,
				"late_cases": sum(1 for f in cases if is_late(f, today)),
				"median_days_to_payment": median(pay),
			}
		)
	return rows
