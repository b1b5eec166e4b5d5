"""Typed refusals of the engine. They carry data; the Frappe layer words them (translated)."""

from __future__ import annotations


class FunnelError(Exception):
	"""Base of every refusal to move a card."""

	code = "funnel_error"


class FunnelDisabled(FunnelError):
	code = "funnel_disabled"

	def __init__(self, funnel: str):
		self.funnel = funnel
		super().__init__(f"funnel '{funnel}' is disabled")


class UnknownStage(FunnelError):
	code = "unknown_stage"

	def __init__(self, funnel: str, stage: str, allowed: tuple[str, ...]):
		self.funnel, self.stage, self.allowed = funnel, stage, allowed
		super().__init__(f"'{stage}' is not a stage of funnel '{funnel}'; allowed: {', '.join(allowed)}")


class MoveNotAllowed(FunnelError):
	code = "move_not_allowed"

	def __init__(self, funnel: str, from_stage: str, to_stage: str, allowed: tuple[str, ...]):
		self.funnel, self.from_stage, self.to_stage, self.allowed = funnel, from_stage, to_stage, allowed
		super().__init__(
			f"a card in '{from_stage}' cannot move to '{to_stage}'; allowed: {', '.join(allowed) or '-'}"
		)


class MissingFields(FunnelError):
	code = "missing_fields"

	def __init__(self, stage: str, fields: tuple[str, ...]):
		self.stage, self.fields = stage, fields
		super().__init__(f"stage '{stage}' requires: {', '.join(fields)}")


class RoleNotAllowed(FunnelError):
	code = "role_not_allowed"

	def __init__(self, stage: str, roles: tuple[str, ...]):
		self.stage, self.roles = stage, roles
		super().__init__(f"only {', '.join(roles)} may move cards into '{stage}'")


class EntryStageOnly(FunnelError):
	"""A card changing funnel enters at the entry stage; another stage needs one of `roles`."""

	code = "entry_stage_only"

	def __init__(self, funnel: str, stage: str, entry_stage: str, roles: tuple[str, ...]):
		self.funnel, self.stage, self.entry_stage, self.roles = funnel, stage, entry_stage, roles
		super().__init__(
			f"a card entering funnel '{funnel}' starts in '{entry_stage}'; "
			f"only {', '.join(roles)} may put it in '{stage}'"
		)


class ChecksFailed(FunnelError):
	"""The stage's named checks failed (and maybe required fields are missing): all reported at once.

	`failures` are (check name, reason) pairs; a reason is what the check said (may be empty).
	"""

	code = "checks_failed"

	def __init__(self, stage: str, failures: tuple[tuple[str, str], ...], missing: tuple[str, ...] = ()):
		self.stage, self.failures, self.missing = stage, failures, missing
		parts = [f"{name}: {reason}" if reason else name for name, reason in failures]
		super().__init__(f"stage '{stage}' checks failed: {'; '.join(parts)}")


class CommentRequired(FunnelError):
	"""A move back in a strict funnel that asks for a comment saying why, made without one."""

	code = "comment_required"

	def __init__(self, funnel: str, from_stage: str, to_stage: str):
		self.funnel, self.from_stage, self.to_stage = funnel, from_stage, to_stage
		super().__init__(
			f"a card of funnel '{funnel}' moving back from '{from_stage}' to '{to_stage}' needs a comment"
		)


class StrictEntry(FunnelError):
	"""A new card of a strict funnel starts in its entry stage: no stage can be skipped."""

	code = "strict_entry"

	def __init__(self, funnel: str, stage: str, entry_stage: str):
		self.funnel, self.stage, self.entry_stage = funnel, stage, entry_stage
		super().__init__(
			f"a new card of strict funnel '{funnel}' starts in '{entry_stage}', not in '{stage}'"
		)
