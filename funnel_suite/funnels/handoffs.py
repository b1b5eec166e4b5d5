"""Hand-offs between funnels on a site.

When a card reaches a stage, the funnel's hand-off rules either move the same card into
another funnel (planned in `validate`, so the card is saved once, at its final place, with a
log row per step) or open a new linked card there (in `on_update`, same transaction). The
rules are checked when a funnel is saved: unknown targets, wrong document types and loops
(A → B → A) are refused there. A hand-off that fails at move time stops the whole move.
"""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.engine import handoffs as engine_handoffs
from funnel_suite.engine.handoffs import ACTION_CREATE, ACTION_CREATE_PROJECT, ACTION_MOVE, HandoffRule
from funnel_suite.funnels.definitions import card_doctypes, clear_cache_key, load_funnel, to_engine
from funnel_suite.funnels.owned import app_writes

CACHE_KEY = "funnel_suite:handoff_rules"
MAX_DEPTH = 10
# Create Project: an ERPNext Project with a task per stage of the target funnel (project_handoffs.py)
ACTIONS = {"Move": ACTION_MOVE, "Create": ACTION_CREATE, "Create Project": ACTION_CREATE_PROJECT}
SOURCE_FIELDS = ("funnel_source_doctype", "funnel_source_name")

# Create hand-offs across document types that ERPNext knows how to map.
CROSS_DOCTYPE_MAKERS = {
	("Lead", "Opportunity"): "erpnext.crm.doctype.lead.lead.make_opportunity",
	# production: a won deal opens its work order
	("Opportunity", "Production Order"): "funnel_suite.funnel_production.api.order_from_opportunity",
}


class HandoffFailedError(frappe.ValidationError):
	pass


def to_rules(doc) -> list[HandoffRule]:
	return [
		HandoffRule(
			source_funnel=doc.name or doc.funnel_name,
			trigger_stage=row.trigger_stage,
			action=ACTIONS.get(row.action, row.action or ""),
			target_funnel=row.target_funnel,
			target_stage=row.target_stage or None,
			condition_field=row.condition_field or None,
			condition_value=row.condition_value,
			name=str(row.idx),
		)
		for row in doc.get("handoffs") or []
	]


def rules_by_funnel() -> dict[str, list[HandoffRule]]:
	"""Every funnel's rules, cached until a funnel changes (a move reads this, no SQL)."""

	def build():
		rules: dict[str, list[dict]] = {}
		for row in frappe.get_all(
			"Funnel Handoff",
			filters={"parenttype": "Funnel"},
			fields=[
				"parent",
				"idx",
				"trigger_stage",
				"action",
				"target_funnel",
				"target_stage",
				"condition_field",
				"condition_value",
			],
			order_by="parent asc, idx asc",
		):
			rules.setdefault(row.parent, []).append(row)
		return rules

	cached = frappe.cache.get_value(CACHE_KEY, build)
	return {
		funnel: [
			HandoffRule(
				funnel,
				r["trigger_stage"],
				ACTIONS.get(r["action"], r["action"] or ""),
				r["target_funnel"],
				r["target_stage"] or None,
				r["condition_field"] or None,
				r["condition_value"],
				str(r["idx"]),
			)
			for r in rows
		]
		for funnel, rows in cached.items()
	}


def clear_cache() -> None:
	clear_cache_key(CACHE_KEY)


# --- checks when a funnel is saved ----------------------------------------------------------


def validate_funnel_handoffs(doc) -> None:
	rules = to_rules(doc)
	if not rules:
		return
	meta = frappe.get_meta(doc.document_type)
	for row in doc.handoffs:
		if row.condition_field and not meta.has_field(row.condition_field):
			frappe.throw(
				_("Hand-off row {0}: {1} is not a field of {2}.").format(
					row.idx, frappe.bold(row.condition_field), _(doc.document_type)
				),
				title=_("Invalid Hand-off"),
			)
		if row.action == "Create Project":
			from funnel_suite.funnels import project_links

			project_links.validate_row(doc, row)
			continue
		target_type = frappe.db.get_value("Funnel", row.target_funnel, "document_type")
		if row.action == "Move" and target_type and target_type != doc.document_type:
			frappe.throw(
				_(
					"Hand-off row {0}: a {1} card can only move into a funnel of {1}; {2} holds {3} cards. Use Create to open a linked card instead."
				).format(row.idx, _(doc.document_type), frappe.bold(row.target_funnel), _(target_type)),
				title=_("Invalid Hand-off"),
			)
		if (
			row.action == "Create"
			and target_type
			and target_type != doc.document_type
			and (doc.document_type, target_type) not in CROSS_DOCTYPE_MAKERS
		):
			frappe.throw(
				_("Hand-off row {0}: a {1} card cannot open a {2} card.").format(
					row.idx, _(doc.document_type), _(target_type)
				),
				title=_("Invalid Hand-off"),
			)

	# the whole graph: this funnel as edited, the others as saved
	all_rules = {**rules_by_funnel(), doc.name: rules}
	funnels = {doc.name: to_engine(doc)}
	for name in {r.target_funnel for rs in all_rules.values() for r in rs} | set(all_rules):
		if name not in funnels and frappe.db.exists("Funnel", name):
			funnels[name] = load_funnel(name)
	problems = engine_handoffs.validate_rules([r for rs in all_rules.values() for r in rs], funnels)
	mine = [
		p for p in problems if isinstance(p, engine_handoffs.HandoffLoop) or getattr(p, "rule", None) in rules
	]
	if mine:
		frappe.throw([_problem_message(p) for p in mine], title=_("Invalid Hand-off"), as_list=True)


def _problem_message(problem) -> str:
	rule = getattr(problem, "rule", None)
	row = rule.name if rule else ""
	if isinstance(problem, engine_handoffs.HandoffLoop):
		path = " → ".join(f"{funnel}: {stage}" for funnel, stage in problem.path)
		return _(
			"These hand-offs form a loop, so a card would be handed back and forth for ever: {0}."
		).format(path)
	if isinstance(problem, engine_handoffs.UnknownTriggerStage):
		return _("Hand-off row {0}: {1} is not a stage of this funnel. Stages: {2}.").format(
			row, frappe.bold(rule.trigger_stage), ", ".join(problem.allowed)
		)
	if isinstance(problem, engine_handoffs.UnknownTargetFunnel):
		return _("Hand-off row {0}: funnel {1} does not exist.").format(row, frappe.bold(rule.target_funnel))
	if isinstance(problem, engine_handoffs.UnknownTargetStage):
		return _("Hand-off row {0}: {1} is not a stage of funnel {2}. Stages: {3}.").format(
			row, frappe.bold(rule.target_stage), frappe.bold(rule.target_funnel), ", ".join(problem.allowed)
		)
	return _("Hand-off row {0}: the action must be Move, Create or Create Project.").format(row)


# --- at move time -----------------------------------------------------------------------------


def matching(funnel: str, stage: str, values) -> list[HandoffRule]:
	return [
		rule
		for rule in rules_by_funnel().get(funnel, [])
		if engine_handoffs.rule_matches(rule, funnel, stage, values)
	]


def fail(rule: HandoffRule, reason: str):
	frappe.throw(
		_("The hand-off from {0} ({1}) to funnel {2} failed: {3} The move was not saved.").format(
			frappe.bold(rule.source_funnel), _(rule.trigger_stage), frappe.bold(rule.target_funnel), reason
		),
		exc=HandoffFailedError,
		title=_("Hand-off Failed"),
	)


def create_linked_card(doc, rule: HandoffRule) -> str:
	"""Open the new card of a Create hand-off (same transaction as the move that triggered it)."""
	depth = (frappe.flags.funnel_handoff_depth or 0) + 1
	if depth > MAX_DEPTH:
		fail(rule, _("more than {0} hand-offs in a row.").format(MAX_DEPTH))
	target = load_funnel(rule.target_funnel)
	stage = target.stage(rule.target_stage) if rule.target_stage else target.entry_stage
	if target.document_type == doc.doctype:
		new = frappe.copy_doc(doc)
		for field in ("status", "lost_reasons", "order_lost_reason", "competitors"):
			if new.meta.has_field(field):
				new.set(
					field, [] if new.meta.get_field(field).fieldtype in frappe.model.table_fields else None
				)
		if new.meta.has_field("status"):
			new.status = new.meta.get_field("status").default or "Open"
	else:
		maker = CROSS_DOCTYPE_MAKERS.get((doc.doctype, target.document_type))
		if not maker:
			fail(
				rule, _("a {0} card cannot open a {1} card.").format(_(doc.doctype), _(target.document_type))
			)
		new = frappe.get_attr(maker)(doc.name)
	new.funnel = target.name
	new.funnel_stage = stage.name if stage else None
	new.funnel_source_doctype = doc.doctype
	new.funnel_source_name = doc.name
	frappe.flags.funnel_handoff_depth = depth
	try:
		# the rule acts with the app's rights: the user whose move triggered it (or the daily
		# reanimation job) may not be allowed to create cards there. Nothing they send or type
		# steers it: funnel and stage come from the Funnel's hand-off row (Funnel Managers write
		# it) or from Funnel Settings, the lineage from the card just moved; the new card's own
		# validation (required fields, stage rules) still runs
		with app_writes():  # the lineage is the app's to write
			new.insert(ignore_permissions=True)
	except HandoffFailedError:
		raise
	except frappe.ValidationError as err:
		fail(rule, str(err))
	finally:
		frappe.flags.funnel_handoff_depth = depth - 1
	return new.name


def lineage(doctype: str, name: str, source: tuple[str, str] | None) -> dict:
	"""Where a card came from and which cards it handed off to (only those the user may read)."""
	result = {"source": None, "handed_off": []}
	if source and all(source) and frappe.has_permission(source[0], "read", source[1]):
		result["source"] = {
			"doctype": source[0],
			"name": source[1],
			**(frappe.db.get_value(source[0], source[1], ["funnel", "funnel_stage"], as_dict=True) or {}),
		}
	for card_doctype in card_doctypes():
		if not frappe.has_permission(card_doctype, "read"):
			continue
		for row in frappe.get_list(
			card_doctype,
			filters={"funnel_source_doctype": doctype, "funnel_source_name": name},
			fields=["name", "funnel", "funnel_stage"],
			order_by="creation asc",
		):
			result["handed_off"].append({"doctype": card_doctype, **row})
	return result


UPSELL_FIELDS = (
	"opportunity_from",
	"party_name",
	"customer_name",
	"company",
	"currency",
	"conversion_rate",
	"contact_person",
	"contact_email",
	"contact_mobile",
	"customer_address",
	"territory",
	"customer_group",
	"source",
	"campaign",
	"opportunity_owner",
)


def make_upsell(source, funnel: str | None = None) -> str:
	"""A new Opportunity for the same customer in an Upsell funnel, linked to the won deal."""
	here = load_funnel(source.funnel).stage(source.funnel_stage) if source.get("funnel") else None
	if not here or here.kind != "Won":
		frappe.throw(
			_("An upsell is offered after a win: {0} is in stage {1}, which is not a Won stage.").format(
				frappe.bold(source.name), frappe.bold(_(source.funnel_stage or ""))
			),
			title=_("Not Won Yet"),
		)
	funnel = funnel or frappe.db.get_value(
		"Funnel",
		{"document_type": "Opportunity", "purpose": "Upsell", "enabled": 1},
		"name",
		order_by="creation asc",
	)
	if not funnel:
		frappe.throw(
			_(
				"There is no enabled Upsell funnel for Opportunities. Create one, or apply the Selling a product preset."
			),
			title=_("No Upsell Funnel"),
		)
	target = load_funnel(funnel)
	if target.document_type != "Opportunity" or not target.enabled:
		frappe.throw(
			_("{0} is not an enabled funnel of Opportunities.").format(frappe.bold(funnel)),
			title=_("Invalid Funnel"),
		)
	new = frappe.new_doc("Opportunity")
	for field in UPSELL_FIELDS:
		if source.get(field) is not None:
			new.set(field, source.get(field))
	new.opportunity_type = source.get("opportunity_type")
	new.funnel = target.name
	new.funnel_source_doctype = "Opportunity"
	new.funnel_source_name = source.name
	with app_writes():  # the lineage is the app's; the user's create permission was checked
		new.insert()
	return new.name
