"""Warranty routes in the pure engine: validation, path evaluation, re-routing."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine.warranty_route import (
	KIND_CHECK,
	KIND_LEAF,
	KIND_QUESTION,
	Answer,
	Check,
	ClaimFacts,
	Node,
	Route,
	RouteError,
	Step,
	answer,
	evaluate,
	run_check,
	validate_route,
)

FUNNELS = {
	"Repair": "Warranty Claim",
	"Paid": "Warranty Claim",
	"Reject": "Warranty Claim",
	"Deals": "Opportunity",
}
SCHEMA = {
	"Claim": {"complaint_date": "Date", "customer": "Link", "warranty_amc_status": "Select"},
	"Serial No": {"warranty_expiry_date": "Date", "warranty_period": "Int", "purchase_rate": "Float"},
	"Item": {"item_group": "Link", "is_stock_item": "Check"},
}
CLAIM_DAY = date(2026, 12, 1)


def q(name, parent, *answers, text=None):
	return Node(
		name,
		parent,
		KIND_QUESTION,
		question=text or f"{name}?",
		answers=tuple(Answer(a, c) for a, c in answers),
	)


def auto(name, parent, yes, no, check):
	return Node(
		name,
		parent,
		KIND_CHECK,
		question=f"{name}?",
		answers=(Answer("Yes", yes), Answer("No", no)),
		check=check,
	)


def leaf(name, parent, outcome="Repair", funnel="Repair"):
	return Node(name, parent, KIND_LEAF, outcome=outcome, branch_funnel=funnel)


def starter():
	return [
		auto("warranty", None, "defect", "paid", Check(data_check="serial_under_warranty")),
		q("defect", "warranty", ("Yes", "repairable"), ("No", "reject")),
		q("repairable", "defect", ("Yes", "repair"), ("No", "replace")),
		leaf("repair", "repairable"),
		leaf("replace", "repairable", outcome="Replace"),
		leaf("reject", "defect", outcome="Reject with explanation", funnel="Reject"),
		leaf("paid", "warranty", outcome="Paid repair offer", funnel="Paid"),
	]


def codes(problems):
	return sorted((p.code, p.node) for p in problems)


def under_warranty(expiry=date(2027, 1, 1)):
	return ClaimFacts(serial={"warranty_expiry_date": expiry}, claim_date=CLAIM_DAY)


# --- validation -------------------------------------------------------------------------------------


def test_starter_route_is_valid():
	assert validate_route(starter(), FUNNELS, SCHEMA) == []


def test_a_cycle_is_named():
	nodes = starter()
	# the root's parent is a node below it: no root, and the parents go round
	nodes[0] = auto("warranty", "repair", "defect", "paid", Check(data_check="serial_under_warranty"))
	found = codes(validate_route(nodes, FUNNELS, SCHEMA))
	assert ("no_root", "defect, paid, reject, repair, repairable, replace, warranty") in found
	assert any(code == "cycle" for code, _ in found)


def test_two_roots_are_named():
	nodes = [*starter(), q("stray", None, ("a", "x"), ("b", "y"))]
	found = codes(validate_route(nodes, FUNNELS, SCHEMA))
	assert ("several_roots", "stray") in found and ("several_roots", "warranty") in found


def test_a_question_needs_two_answers():
	nodes = starter()
	nodes[1] = q("defect", "warranty", ("Yes", "repairable"))
	found = codes(validate_route([n for n in nodes if n.name != "reject"], FUNNELS, SCHEMA))
	assert ("too_few_answers", "defect") in found


def test_leaves_need_outcome_and_a_claim_funnel():
	nodes = starter()
	nodes[3] = leaf("repair", "repairable", outcome="", funnel="")
	nodes[4] = leaf("replace", "repairable", funnel="Deals")
	nodes[5] = leaf("reject", "defect", funnel="Gone")
	found = codes(validate_route(nodes, FUNNELS, SCHEMA))
	assert ("leaf_without_outcome", "repair") in found
	assert ("leaf_without_funnel", "repair") in found
	assert ("funnel_not_for_claims", "replace") in found
	assert ("unknown_funnel", "reject") in found


def test_bad_automatic_checks():
	def with_check(check, answers=("Yes", "No")):
		nodes = starter()
		nodes[0] = Node(
			"warranty",
			None,
			KIND_CHECK,
			answers=(Answer(answers[0], "defect"), Answer(answers[1], "paid")),
			check=check,
		)
		return codes(validate_route(nodes, FUNNELS, SCHEMA))

	assert ("unknown_field", "warranty") in with_check(Check("Serial No", "no_such_field", "=", "1"))
	assert ("value_not_of_type", "warranty") in with_check(
		Check("Serial No", "warranty_period", ">", "twelve")
	)
	assert ("value_not_of_type", "warranty") in with_check(
		Check("Claim", "complaint_date", "<", "31.12.2026")
	)
	assert ("value_not_of_type", "warranty") in with_check(Check("Item", "is_stock_item", "=", "2"))
	assert ("operator_not_for_type", "warranty") in with_check(Check("Item", "item_group", ">", "Tools"))
	assert ("unknown_operator", "warranty") in with_check(Check("Item", "item_group", "like", "Tools"))
	assert ("unknown_source", "warranty") in with_check(Check("Customer", "name", "=", "x"))
	assert ("unknown_data_check", "warranty") in with_check(Check(data_check="moon_phase"))
	assert ("data_check_needs_days", "warranty") in with_check(Check(data_check="delivered_within_days"))
	assert ("check_needs_yes_no", "warranty") in with_check(
		Check(data_check="serial_under_warranty"), ("Ja", "Nein")
	)
	assert ("check_without_spec", "warranty") in with_check(None)
	assert with_check(Check("Item", "item_group", "in", "Power Tools, Garden")) == []
	assert with_check(Check("Serial No", "purchase_rate", ">=", "99.5")) == []
	assert with_check(Check("Claim", "customer", "is set")) == []


def test_answers_must_lead_to_own_children():
	nodes = starter()
	nodes[1] = q("defect", "warranty", ("Yes", "repairable"), ("No", "repair"))
	found = codes(validate_route(nodes, FUNNELS, SCHEMA))
	assert ("answer_to_other_branch", "defect") in found
	assert ("unreachable_node", "reject") in found
	nodes[1] = q("defect", "warranty", ("Yes", "repairable"), ("No", "nowhere"))
	assert ("answer_to_unknown_node", "defect") in codes(validate_route(nodes, FUNNELS, SCHEMA))
	nodes[1] = q("defect", "warranty", ("Yes", "repairable"), ("yes ", "reject"))
	assert ("duplicate_answer", "defect") in codes(validate_route(nodes, FUNNELS, SCHEMA))


def test_a_leaf_cannot_ask():
	nodes = [*starter(), leaf("below", "repair")]
	nodes[3] = Node(
		"repair",
		"repairable",
		KIND_LEAF,
		answers=(Answer("x", "below"),),
		outcome="Repair",
		branch_funnel="Repair",
	)
	found = codes(validate_route(nodes, FUNNELS, SCHEMA))
	assert ("leaf_with_answers", "repair") in found and ("leaf_with_children", "repair") in found


# --- checks and evaluation ---------------------------------------------------------------------------


def test_data_checks():
	assert run_check(Check(data_check="serial_under_warranty"), under_warranty(CLAIM_DAY))
	assert not run_check(Check(data_check="serial_under_warranty"), under_warranty(date(2026, 11, 30)))
	assert not run_check(Check(data_check="serial_under_warranty"), ClaimFacts(claim_date=CLAIM_DAY))
	within = Check(data_check="delivered_within_days", days=14)
	assert run_check(within, ClaimFacts(claim_date=CLAIM_DAY, delivered_on=date(2026, 11, 18)))
	assert not run_check(within, ClaimFacts(claim_date=CLAIM_DAY, delivered_on=date(2026, 11, 17)))
	assert not run_check(within, ClaimFacts(claim_date=CLAIM_DAY))


def test_field_checks_by_type():
	facts = ClaimFacts(item={"item_group": "Power Tools", "is_stock_item": 1}, serial={"warranty_period": 24})
	assert run_check(Check("Item", "item_group", "=", "Power Tools"), facts, "Link")
	assert run_check(Check("Item", "item_group", "in", "Garden, Power Tools"), facts, "Link")
	assert not run_check(Check("Item", "item_group", "not in", "Garden, Power Tools"), facts, "Link")
	assert run_check(Check("Serial No", "warranty_period", ">=", "12"), facts, "Int")
	assert not run_check(Check("Serial No", "purchase_rate", ">", "0"), facts, "Float")  # empty
	assert run_check(Check("Serial No", "brand", "is not set"), facts, "Link")


def test_path_under_warranty_waits_at_the_first_question():
	route = Route(starter())
	pos = evaluate(route, {}, under_warranty())
	assert pos.waiting_at == "defect" and pos.leaf is None
	assert pos.path == (Step("warranty", "warranty?", "Yes", automatic=True),)


def test_past_warranty_goes_straight_to_paid_repair():
	pos = evaluate(Route(starter()), {}, under_warranty(date(2025, 1, 1)))
	assert pos.leaf == "paid" and [s.answer for s in pos.path] == ["No"]


def test_answers_walk_to_a_leaf_and_changing_one_reroutes():
	route = Route(starter())
	facts = under_warranty()
	r1 = answer(route, [], "defect", "yes", facts)
	assert r1.position.waiting_at == "repairable" and r1.removed == ()
	r2 = answer(route, r1.position.path, "repairable", "No", facts)
	assert r2.position.leaf == "replace"
	assert [s.node for s in r2.position.path] == ["warranty", "defect", "repairable"]
	# the customer's unit turns out not defective: cut after "defect", reroute to reject
	r3 = answer(route, r2.position.path, "defect", "No", facts)
	assert r3.position.leaf == "reject"
	assert r3.changed == Step("defect", "defect?", "Yes")
	assert [s.node for s in r3.removed] == ["defect", "repairable"]
	assert [s.node for s in r3.position.path] == ["warranty", "defect"]
	# the same answer again changes nothing
	same = answer(route, r3.position.path, "defect", "No", facts)
	assert same.changed is None and same.position == r3.position


def test_answer_errors_name_the_node():
	route = Route(starter())
	facts = under_warranty()
	with pytest.raises(RouteError) as err:
		answer(route, [], "defect", "Maybe", facts)
	assert err.value.code == "unknown_answer" and err.value.allowed == ("Yes", "No")
	with pytest.raises(RouteError) as err:
		answer(route, [], "warranty", "No", facts)
	assert err.value.code == "automatic_node"
	with pytest.raises(RouteError) as err:
		answer(route, [], "repairable", "Yes", facts)
	assert (err.value.code, err.value.node) == ("not_on_path", "repairable")
	with pytest.raises(RouteError) as err:
		answer(route, [], "ghost", "Yes", facts)
	assert err.value.code == "unknown_node"
	with pytest.raises(RouteError) as err:
		answer(route, [], "repair", "Yes", facts)
	assert err.value.code == "leaf_node"


# --- property: any answer sequence ends at one leaf or waits at one question --------------------------


@st.composite
def routes(draw):
	"""A random valid route: questions with 2–3 answers and automatic checks, leaves at depth ≤ 4."""
	nodes, counter = [], [0]

	def new_name():
		counter[0] += 1
		return f"n{counter[0]}"

	def build(name, parent, depth):
		kind = KIND_LEAF if depth >= 4 else draw(st.sampled_from((KIND_QUESTION, KIND_CHECK, KIND_LEAF)))
		if kind == KIND_LEAF:
			nodes.append(leaf(name, parent))
			return
		labels = ("Yes", "No") if kind == KIND_CHECK else ("a", "b", "c")[: draw(st.integers(2, 3))]
		children = [(label, new_name()) for label in labels]
		if kind == KIND_CHECK:
			check = Check("Serial No", "warranty_period", ">=", str(draw(st.integers(0, 36))))
			nodes.append(auto(name, parent, children[0][1], children[1][1], check))
		else:
			nodes.append(q(name, parent, *children))
		for _, child in children:
			build(child, name, depth + 1)

	build("n0", None, 0)
	return nodes


@settings(max_examples=200, deadline=None)
@given(
	routes(),
	st.lists(st.tuples(st.integers(0, 40), st.sampled_from(("a", "b", "c", "Yes", "zz"))), max_size=12),
	st.integers(0, 40),
)
def test_any_answer_sequence_ends_at_one_leaf_or_waits_at_one_question(nodes, moves, period):
	assert validate_route(nodes, FUNNELS, SCHEMA) == []
	route = Route(nodes)
	names = sorted(route.nodes)
	facts = ClaimFacts(serial={"warranty_period": period}, claim_date=CLAIM_DAY)
	fieldtypes = {("Serial No", "warranty_period"): "Int"}
	path = evaluate(route, {}, facts, fieldtypes).path
	for index, label in moves:
		node = names[index % len(names)]
		try:
			result = answer(route, path, node, label, facts, fieldtypes)
		except RouteError:
			continue
		pos = result.position
		assert (pos.leaf is None) != (pos.waiting_at is None)
		end = route[pos.current]
		assert end.kind == (KIND_LEAF if pos.leaf else KIND_QUESTION)
		# the path is a chain from the root, each step leading to the next
		walk = route.root
		for step in pos.path:
			assert step.node == walk
			walk = route[walk].answer_for(step.answer).child
		assert walk == pos.current
		# a given answer is on the path (unless the question was already answered the same way)
		assert any(s.node == node for s in pos.path)
		path = pos.path
