"""Create Project hand-offs: when a card reaches a stage, an ERPNext Project opens for it with one
Task per stage of the rule's target funnel (the funnel is the project's plan, see
funnel_suite.engine.project_plan; no card goes into it).

A card doctype can open projects when its cards have a Customer and a Company and ERPNext's Project
has a link field to it (production: `Project.production_order`, funnel_production/project.py; a
Sales Order card: the Project's own `sales_order`): the link is how the project is found again, so
a card that reaches the stage a second time (moved back and forward again) opens no second project.
The rule is checked when its funnel is saved (project_links.validate_row).

Authority: the hand-off runs in the move's transaction, as the user who moved the card. Moving it
needs write on the card (its save checks that on every interactive path); opening the project is
part of that move, so the project and its tasks are inserted with the app's rights after an
explicit check that this user may write the card — as the app's Create hand-offs open their cards.
A foreman hands the order over to installation without being a Projects User; nothing he types goes
into the project (customer, company, sales order and the tasks come from the card and from the
funnels a Funnel Manager configured). When the card moved on an automatic path on behalf of someone
who may not change it, no project is opened: the move stands, and that user and the Projects
Managers are told why (a notification and a comment on the card's timeline); moving the card back
and forward again, by someone who may change it, opens the project.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.utils import getdate, nowdate

from funnel_suite.engine.handoffs import ACTION_CREATE_PROJECT, HandoffRule, rule_matches
from funnel_suite.engine.project_plan import plan_tasks
from funnel_suite.funnels import handoffs
from funnel_suite.funnels.audit import bold
from funnel_suite.funnels.card import DocValues
from funnel_suite.funnels.definitions import load_funnel
from funnel_suite.funnels.owned import app_writes
from funnel_suite.funnels.project_links import PROJECT, card_problem, project_link_field

TASK = "Task"
PROJECTS_MANAGER = "Projects Manager"


# --- at move time (hook funnel_on_move) ------------------------------------------------------------


def on_card_moved(doc, entries) -> None:
	"""Hook `funnel_on_move`: the Create Project rules of every stage the move reached (the rules
	come from the cache the move's own hand-offs read: no query unless a rule fires)."""
	by_funnel = handoffs.rules_by_funnel()
	values = None
	for entry in entries:
		for rule in by_funnel.get(entry["funnel"], []):
			if rule.action != ACTION_CREATE_PROJECT:
				continue
			values = values or DocValues(doc)
			if rule_matches(rule, entry["funnel"], entry["to_stage"], values):
				open_project(doc, rule)


def existing_project(doc) -> str | None:
	field = project_link_field(doc.doctype)
	return frappe.db.get_value(PROJECT, {field: doc.name}, "name") if field else None


def open_project(doc, rule: HandoffRule) -> str | None:
	"""The card's project: the one it has, else a new one with its tasks (None when not allowed)."""
	problem = card_problem(doc.doctype)
	if problem:  # the funnel was saved before the card doctype changed
		handoffs.fail(rule, problem)
	found = existing_project(doc)
	if found:
		return found
	user = frappe.session.user
	if not frappe.has_permission(doc.doctype, "write", doc, user=user):
		_report_blocked(doc, rule, user)
		return None
	try:
		template = load_funnel(rule.target_funnel)
	except frappe.DoesNotExistError:
		handoffs.fail(rule, _("the target funnel does not exist."))
	project = _new_project(doc, template, rule)
	try:
		# The app's rights, after the check above that this user may change the card (the right the
		# move needs): the hand-off is part of the move, the user need not be a Projects User, and
		# every value comes from the card and the funnels (see the module docstring).
		with app_writes():  # the link to the card is the app's to write
			project.insert(ignore_permissions=True)
		names: list[str] = []
		for planned in plan_tasks(template, getdate(project.expected_start_date)):
			task = frappe.get_doc(
				{
					"doctype": TASK,
					"project": project.name,
					"subject": planned.subject,
					"description": planned.description or None,
					"company": project.company,
					"exp_start_date": planned.start,
					"exp_end_date": planned.end,
					"depends_on": ([{"task": names[planned.after]}] if planned.after is not None else []),
				}
			)
			task.insert(ignore_permissions=True)  # the same authority as the project's, above
			names.append(task.name)
	except handoffs.HandoffFailedError:
		raise
	except frappe.ValidationError as err:
		handoffs.fail(rule, frappe.utils.strip_html(str(err)))
	_record(doc, project, template, user, len(names))
	return project.name


def _new_project(doc, template, rule: HandoffRule):
	start = getdate(nowdate())
	tasks = plan_tasks(template, start)
	title = doc.get(doc.meta.title_field) if doc.meta.title_field else None
	name = (f"{title} ({doc.name})" if title and title != doc.name else doc.name)[:130]
	project = frappe.new_doc(PROJECT)
	project.project_name = _free_project_name(name)
	project.company = doc.get("company")
	project.customer = doc.get("customer")
	project.sales_order = _sales_order(doc)
	project.expected_start_date = start
	project.expected_end_date = tasks[-1].end if tasks else start
	project.set(project_link_field(doc.doctype), doc.name)
	return project


def _free_project_name(name: str) -> str:
	"""Project names are unique: a project someone named so by hand gets no twin, ours a number."""
	taken = set(frappe.get_all(PROJECT, filters={"project_name": ("like", f"{name}%")}, pluck="project_name"))
	return next(n for n in (name, *(f"{name} {i}" for i in range(2, len(taken) + 3))) if n not in taken)


def _sales_order(doc) -> str | None:
	"""The submitted Sales Order the card was made for: its own field, its source, or the order
	made from a quotation of the deal it came from."""
	if doc.doctype == "Sales Order":
		return doc.name
	if doc.meta.has_field("sales_order") and doc.get("sales_order"):
		return doc.sales_order
	sources = [
		(doc.get("source_doctype"), doc.get("source_name")),
		(doc.get("funnel_source_doctype"), doc.get("funnel_source_name")),
	]
	for doctype, name in sources:
		if doctype == "Sales Order" and name:
			return name
	for doctype, name in sources:
		if doctype == "Opportunity" and name:
			rows = frappe.get_all(
				"Sales Order Item",
				filters={"prevdoc_docname": ("in", _quotations(name)), "docstatus": 1},
				pluck="parent",
				order_by="creation asc",
				limit_page_length=1,
			)
			if rows:
				return rows[0]
	return None


def _quotations(opportunity: str) -> list[str]:
	return frappe.get_all(
		"Quotation", filters={"opportunity": opportunity, "docstatus": 1}, pluck="name"
	) or [""]


def _record(doc, project, template, user: str, tasks: int) -> None:
	"""Both timelines say what happened and on whose move."""
	doc.add_comment(
		"Info",
		_("Project {0} opened with {1} tasks, one per stage of funnel {2}.").format(
			bold(project.name), tasks, bold(template.name)
		),
	)
	project.add_comment(
		"Info",
		_("Opened by the hand-off of {0} {1} ({2}: {3}), moved by {4}.").format(
			_(doc.doctype), bold(doc.name), bold(doc.funnel), bold(_(doc.funnel_stage or "")), bold(user)
		),
	)


def projects_managers() -> list[str]:
	return [
		u
		for u in frappe.get_all(
			"Has Role",
			filters={"role": PROJECTS_MANAGER, "parenttype": "User"},
			pluck="parent",
			distinct=True,
		)
		if u not in ("Administrator", "Guest")
	]


def _report_blocked(doc, rule: HandoffRule, user: str) -> None:
	"""The move stands; the user and the Projects Managers learn why no project was opened."""
	text = _(
		"{0} {1} reached {2}, but its project (tasks from funnel {3}) was not opened: {4} may not change this {0}. Someone who may change it can move it back and forward again to open the project."
	).format(
		_(doc.doctype), bold(doc.name), bold(_(rule.trigger_stage)), bold(rule.target_funnel), bold(user)
	)
	doc.add_comment("Info", text)
	# (the host's helper leaves out disabled users and those who turned notifications off)
	users = [u for u in dict.fromkeys([user, *projects_managers()]) if u not in ("Administrator", "Guest")]
	if users:
		make_notification_logs(
			frappe._dict(
				type="Alert",
				document_type=doc.doctype,
				document_name=doc.name,
				subject=_("No project opened for {0} {1}").format(_(doc.doctype), bold(doc.name)),
				email_content=text,
				from_user=user if user != "Guest" else "Administrator",
			),
			users,
		)
	frappe.msgprint(text, title=_("Project Not Opened"), indicator="orange", alert=True)
