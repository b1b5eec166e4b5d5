"""Property tests: whatever the funnels and the moves, the log stays a consistent chain."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine import (
	KIND_LOST,
	KIND_OPEN,
	KIND_WON,
	CardState,
	Funnel,
	FunnelError,
	Stage,
	apply_move,
	plan_entry,
	plan_funnel_change,
	plan_move,
	validate_definition,
)

ROLES = ("Sales User", "Sales Manager", "Funnel Manager")
FIELDS = ("customer_name", "contact_email", "amount")
NAMES = st.text(alphabet="abcdeXYZ ", min_size=1, max_size=6).filter(lambda s: s.strip())


@st.composite
def funnels(draw, name="F"):
	names = draw(st.lists(NAMES, min_size=3, max_size=8, unique_by=lambda s: " ".join(s.split()).casefold()))
	kinds = [KIND_OPEN, KIND_WON, KIND_LOST] + [
		draw(st.sampled_from((KIND_OPEN, KIND_WON, KIND_LOST))) for _ in names[3:]
	]
	kinds = draw(st.permutations(kinds))
	stages = []
	for stage_name, kind in zip(names, kinds, strict=True):
		stages.append(
			Stage(
				stage_name,
				kind,
				required_fields=tuple(draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True))),
				allowed_roles=tuple(draw(st.lists(st.sampled_from(ROLES), max_size=2, unique=True))),
				allowed_next=tuple(draw(st.lists(st.sampled_from(names), max_size=3, unique=True))),
			)
		)
	funnel = Funnel(name, tuple(stages))
	assert validate_definition(funnel) == []
	return funnel


steps = st.tuples(
	st.integers(min_value=0, max_value=2),  # which card
	st.one_of(NAMES, st.sampled_from(("", "  "))),  # target (often unknown)
	st.integers(min_value=-3600, max_value=10 * 86400),  # clock step, may go backwards
	st.lists(st.sampled_from(ROLES), max_size=3),
	st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(("", "x", None))),
	st.booleans(),  # switch funnel
)


@settings(max_examples=150, deadline=None)
@given(funnels("A"), funnels("B"), st.lists(steps, max_size=40), st.data())
def test_log_is_an_unbroken_chain(first, second, sequence, data):
	by_name = {first.name: first, second.name: second}
	now = datetime(2026, 1, 1)
	states: dict[int, CardState] = {}
	logs: dict[int, list] = {0: [], 1: [], 2: []}

	for card, target, step, roles, values, switch in sequence:
		now += timedelta(seconds=step)
		state = states.get(card, CardState())
		try:
			if state.funnel is None:
				funnel = data.draw(st.sampled_from((first, second)))
				move = plan_entry(funnel, data.draw(st.sampled_from((None, target))), roles, values)
			elif switch:
				other = second if state.funnel == first.name else first
				move = plan_funnel_change(state.funnel, state.stage, other, target or None, roles, values)
			else:
				move = plan_move(by_name[state.funnel], state.stage, target or state.stage, roles, values)
		except FunnelError:
			continue
		new_state, row = apply_move(state, move, now)
		states[card] = new_state
		if row is not None:
			logs[card].append(row)

	for card, rows in logs.items():
		previous = None
		for row in rows:
			assert row.from_stage == previous
			assert row.seconds_in_from_stage >= 0
			assert by_name[row.funnel].stage(row.to_stage) is not None
			previous = row.to_stage
		if rows:
			assert states[card].stage == rows[-1].to_stage
			assert states[card].funnel == rows[-1].funnel
		else:
			assert card not in states or states[card].stage is None


@settings(max_examples=100, deadline=None)
@given(funnels(), st.data())
def test_allowed_moves_are_exactly_next_stages(funnel, data):
	current = data.draw(st.sampled_from(funnel.stage_names))
	target = data.draw(st.sampled_from(funnel.stage_names))
	allowed = {s.name for s in funnel.next_stages(current)}
	try:
		move = plan_move(funnel, current, target, ROLES, dict.fromkeys(FIELDS, "x"))
	except FunnelError:
		assert target not in allowed and target != current
	else:
		assert move.is_noop == (funnel.stage(target) is funnel.stage(current))
		assert move.is_noop or target in allowed
