"""The funnel engine: pure Python, no Frappe.

Everything that decides *whether* a card may move and *what* gets logged lives here,
so it can be unit-tested without a bench. The Frappe controllers only load data,
call these functions, persist the result and turn the typed errors into translated
messages.
"""

from funnel_suite.engine.definition import (
	KIND_LOST,
	KIND_OPEN,
	KIND_WON,
	STAGE_KINDS,
	DefinitionProblem,
	Funnel,
	InvalidDefinition,
	Stage,
	normalize_stage_name,
	split_list,
	validate_definition,
)
from funnel_suite.engine.errors import (
	ChecksFailed,
	CommentRequired,
	EntryStageOnly,
	FunnelDisabled,
	FunnelError,
	MissingFields,
	MoveNotAllowed,
	RoleNotAllowed,
	StrictEntry,
	UnknownStage,
)
from funnel_suite.engine.moves import (
	ENTRY_OVERRIDE_ROLES,
	CardState,
	LogRow,
	Move,
	apply_move,
	failed_checks,
	is_missing,
	plan_entry,
	plan_funnel_change,
	plan_move,
)

__all__ = [
	"ENTRY_OVERRIDE_ROLES",
	"KIND_LOST",
	"KIND_OPEN",
	"KIND_WON",
	"STAGE_KINDS",
	"CardState",
	"ChecksFailed",
	"CommentRequired",
	"DefinitionProblem",
	"EntryStageOnly",
	"Funnel",
	"FunnelDisabled",
	"FunnelError",
	"InvalidDefinition",
	"LogRow",
	"MissingFields",
	"Move",
	"MoveNotAllowed",
	"RoleNotAllowed",
	"Stage",
	"StrictEntry",
	"UnknownStage",
	"apply_move",
	"failed_checks",
	"is_missing",
	"normalize_stage_name",
	"plan_entry",
	"plan_funnel_change",
	"plan_move",
	"split_list",
	"validate_definition",
]
