"""The tasks of a project opened by a "Create Project" hand-off: one task per stage of a funnel.

The funnel is a template: its stages, in order, are the facts the project has to reach (for the
construction preset: site ready for installation, installation completed, acceptance report
signed). Lost stages ("Construction stopped") are an outcome, not work, and get no task.

Dates: the first task starts on the start date; each next task depends on the one before and
starts the day after it ends (the rule ERPNext itself applies when it reschedules dependent tasks,
so saving a task later does not move the others); a task lasts its stage's `next_action_due_days`
(the days the funnel gives to get from that stage to the next one), at least one day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from funnel_suite.engine.definition import KIND_LOST, Funnel


@dataclass(frozen=True)
class PlannedTask:
	subject: str
	description: str
	start: date
	end: date
	# index in the plan of the task this one waits for (None for the first)
	after: int | None


def plan_tasks(funnel: Funnel, start: date) -> list[PlannedTask]:
	"""The tasks for `funnel`'s stages (Lost stages left out), in stage order, from `start` on."""
	tasks: list[PlannedTask] = []
	day = start
	for stage in funnel.stages:
		if stage.kind == KIND_LOST:
			continue
		days = max(int(stage.next_action_due_days or 0), 1)
		end = day + timedelta(days=days - 1)
		tasks.append(
			PlannedTask(
				subject=stage.name,
				description=stage.next_action or "",
				start=day,
				end=end,
				after=len(tasks) - 1 if tasks else None,
			)
		)
		day = end + timedelta(days=1)
	return tasks
