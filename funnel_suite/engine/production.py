"""Production orders: which works hold an order in its stage, what the storekeeper issues, and
where stock falls short. Pure Python (no Frappe): the Production Order's controller, its stage
check and the Stock Entry it creates read their answers here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from funnel_suite.engine.definition import KIND_LOST, KIND_OPEN, KIND_WON, Funnel, Stage, normalize_stage_name

WORK_PENDING = "Pending"
WORK_IN_PROGRESS = "In Progress"
WORK_DONE = "Done"
WORK_STATUSES = (WORK_PENDING, WORK_IN_PROGRESS, WORK_DONE)

# quantities below this are rounding noise, not something left to issue
EPSILON = 1e-9


@dataclass(frozen=True)
class Work:
	"""A row of the order's works as the engine reads it."""

	row: str
	stage: str
	description: str = ""
	executor: str = ""
	status: str = WORK_PENDING

	@property
	def is_done(self) -> bool:
		return self.status == WORK_DONE


@dataclass(frozen=True)
class Material:
	row: str
	item_code: str
	warehouse: str
	qty: float
	issued_qty: float = 0.0

	@property
	def to_issue(self) -> float:
		left = float(self.qty or 0) - float(self.issued_qty or 0)
		return left if left > EPSILON else 0.0


@dataclass(frozen=True)
class Shortage:
	item_code: str
	warehouse: str
	needed: float
	available: float


def works_of_stage(works: Iterable[Work], stage: str | None) -> list[Work]:
	"""The works that are done while the order is in `stage` (stage names compared loosely)."""
	key = normalize_stage_name(stage)
	return [w for w in works if key and normalize_stage_name(w.stage) == key]


def open_works(works: Iterable[Work], stage: str | None) -> list[Work]:
	"""The works of `stage` that are not Done yet, in their order."""
	return [w for w in works_of_stage(works, stage) if not w.is_done]


def is_forward(funnel: Funnel, from_stage: str | None, to_stage: str | None) -> bool:
	"""A move on towards the end of the funnel (a Lost stage, e.g. a cancellation, is not)."""
	here, there = funnel.stage(from_stage), funnel.stage(to_stage)
	if here is None or there is None or there.kind == KIND_LOST:
		return False
	return funnel.stages.index(there) > funnel.stages.index(here)


def works_blocking(funnel: Funnel, from_stage: str | None, to_stage: str | None, works: Iterable[Work]):
	"""The unfinished works of the stage an order leaves forward (nothing for a move back, a
	cancellation, or an order entering its funnel)."""
	if not is_forward(funnel, from_stage, to_stage):
		return []
	return open_works(works, from_stage)


def unknown_work_stages(funnel: Funnel, works: Iterable[Work]) -> list[Work]:
	"""Works that name a stage the order's funnel does not have."""
	return [w for w in works if w.stage and funnel.stage(w.stage) is None]


def to_issue(materials: Iterable[Material]) -> list[Material]:
	"""The material rows with something left to issue (planned minus issued so far)."""
	return [m for m in materials if m.to_issue > 0]


def shortages(materials: Iterable[Material], available: Mapping[tuple[str, str], float]) -> list[Shortage]:
	"""Where stock does not cover what is left to issue, per item and warehouse (rows of the
	same item and warehouse add up), in the order the pairs first appear."""
	needed: dict[tuple[str, str], float] = {}
	for m in to_issue(materials):
		key = (m.item_code, m.warehouse)
		needed[key] = needed.get(key, 0.0) + m.to_issue
	return [
		Shortage(item, warehouse, qty, float(available.get((item, warehouse)) or 0))
		for (item, warehouse), qty in needed.items()
		if qty - float(available.get((item, warehouse)) or 0) > EPSILON
	]


def issued_by_row(lines: Iterable[tuple[str, float, int]]) -> dict[str, float]:
	"""Issued quantity per material row from Stock Entry lines (row, qty, sign): +1 for a line of
	a submitted entry, 0 for a draft or cancelled one."""
	issued: dict[str, float] = {}
	for row, qty, sign in lines:
		if row:
			issued[row] = issued.get(row, 0.0) + float(qty or 0) * sign
	return issued


# --- ERPNext Work Orders and Job Cards --------------------------------------------------------


def ready_stage(funnel: Funnel, configured: str | None = None) -> Stage | None:
	"""The stage a completed Work Order moves its order to: the configured stage when this funnel
	has it as an Open stage, else the last Open stage before the first Won stage (the preset's
	"Ready for delivery"), else the funnel's last Open stage; None for a funnel without one."""
	chosen = funnel.stage(configured)
	if chosen is not None and chosen.kind == KIND_OPEN:
		return chosen
	won = next((i for i, s in enumerate(funnel.stages) if s.kind == KIND_WON), len(funnel.stages))
	before = [s for s in funnel.stages[:won] if s.kind == KIND_OPEN]
	if before:
		return before[-1]
	opened = [s for s in funnel.stages if s.kind == KIND_OPEN]
	return opened[-1] if opened else None


def stages_towards(funnel: Funnel, current: str | None, target: str | None) -> list[str]:
	"""The stages a card enters on its way forward from `current` to `target`: one by one through
	the sequence in a strict funnel, the target alone otherwise. Nothing when the target is not
	ahead (already there or passed, a Lost stage, or the card is in a final stage)."""
	here, there = funnel.stage(current), funnel.stage(target)
	if here is None or there is None or not here.is_open or not is_forward(funnel, here.name, there.name):
		return []
	if not funnel.strict_sequence:
		return [there.name]
	sequence = funnel.sequence
	return [s.name for s in sequence[sequence.index(here) + 1 : sequence.index(there) + 1]]


@dataclass(frozen=True)
class JobCardTime:
	"""A Job Card of an order as the works read it: its operation, docstatus and logged minutes."""

	operation: str
	docstatus: int
	minutes: float = 0.0


@dataclass(frozen=True)
class OperationProgress:
	done: bool
	hours: float
	started: bool


def operation_progress(cards: Iterable[JobCardTime], operation: str) -> OperationProgress:
	"""Where the works of `operation` stand by the order's Job Cards of it (cancelled ones left
	out): done when at least one is submitted and none is still a draft (a Work Order split into
	batches has one card per batch); the hours are the submitted cards' logged time."""
	mine = [c for c in cards if c.operation == operation and c.docstatus in (0, 1)]
	submitted = [c for c in mine if c.docstatus == 1]
	hours = round(sum(float(c.minutes or 0) for c in submitted) / 60.0, 6)
	done = bool(submitted) and len(submitted) == len(mine)
	return OperationProgress(done=done, hours=hours, started=bool(submitted))


# --- reports ----------------------------------------------------------------------------------


def days_late(due, today) -> int:
	"""Whole days past the due date (0 when not due yet or no due date)."""
	if not due:
		return 0
	return max(0, (today - due).days)


def orders_late_first(orders: Iterable[Mapping], positions: Mapping[str, int], today) -> list[Mapping]:
	"""Orders sorted for the "by stage and due date" view: late ones first (the latest first), then
	by due date (none last), then by the stage's position in the funnel, then by name."""

	def key(o):
		late = days_late(o.get("due_date"), today)
		due = o.get("due_date")
		return (
			0 if late else 1,
			-late,
			due is None,
			due or today,
			positions.get(normalize_stage_name(o.get("funnel_stage")), len(positions)),
			o.get("name") or "",
		)

	return sorted(orders, key=key)


@dataclass
class ExecutorLoad:
	executor: str
	open_works: int = 0
	planned_hours: float = 0.0
	actual_hours: float = 0.0
	late_works: int = 0


def executor_load(works: Iterable[Mapping], today) -> list[ExecutorLoad]:
	"""Per executor (blank: "no executor"): open works, planned and actual hours, late works (of an
	order past its due date), sorted by open works, most first."""
	loads: dict[str, ExecutorLoad] = {}
	for w in works:
		if w.get("status") == WORK_DONE:
			continue
		load = loads.setdefault(w.get("executor") or "", ExecutorLoad(w.get("executor") or ""))
		load.open_works += 1
		load.planned_hours += float(w.get("planned_hours") or 0)
		load.actual_hours += float(w.get("actual_hours") or 0)
		if days_late(w.get("due_date"), today):
			load.late_works += 1
	return sorted(loads.values(), key=lambda x: (-x.open_works, x.executor))


@dataclass
class Consumption:
	order: str
	item_code: str
	planned_qty: float = 0.0
	issued_qty: float = 0.0

	@property
	def left_qty(self) -> float:
		return self.planned_qty - self.issued_qty

	@property
	def issued_percent(self) -> float:
		return round(100.0 * self.issued_qty / self.planned_qty, 1) if self.planned_qty else 0.0


def consumption(rows: Iterable[Mapping]) -> list[Consumption]:
	"""Planned against issued per order and item (rows of the same item add up), in first-seen order."""
	found: dict[tuple[str, str], Consumption] = {}
	for r in rows:
		key = (r.get("parent") or "", r.get("item_code") or "")
		c = found.setdefault(key, Consumption(*key))
		c.planned_qty += float(r.get("qty") or 0)
		c.issued_qty += float(r.get("issued_qty") or 0)
	return list(found.values())
