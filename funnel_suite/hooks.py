app_name = "funnel_suite"
app_title = "Funnel Suite"
app_publisher = "funnel_suite developers"
app_description = (
	"Multi-funnel CRM for ERPNext: several pipelines per business, validated and logged stage moves"
)
app_email = "dev@funnel-suite.local"
app_license = "mit"

required_apps = ["erpnext"]

export_python_type_annotations = True

# Document types that can be placed in a funnel. Later modules of this app add theirs.
funnel_document_types = ["Lead", "Opportunity", "Refusal Review", "Procurement Case"]
# Cards that move only through their own actions (a review moves by its verdict buttons).
funnel_action_driven_doctypes = ["Refusal Review"]

# Strings Frappe and ERPNext already translate are left out of this app's POT file.
ignore_translatable_strings_from = ["frappe", "erpnext"]

before_install = "funnel_suite.install.before_install"
after_install = "funnel_suite.install.after_install"
after_migrate = "funnel_suite.install.after_migrate"
before_uninstall = "funnel_suite.install.before_uninstall"
before_tests = "funnel_suite.install.before_tests"

# Stage bar and move history on every card form.
doctype_js = {doctype: ["public/js/funnel_card.js"] for doctype in funnel_document_types}
doctype_js["Lead"].append("public/js/lead_qualification.js")
# The customer journey (every card of the customer across funnels) on the Customer form.
doctype_js["Customer"] = ["public/js/customer_journey.js"]
doctype_list_js = {doctype: "public/js/funnel_list.js" for doctype in funnel_document_types}
boot_session = "funnel_suite.funnels.card.boot_session"

# One rule for every path that saves a card (form, Kanban drag, REST, Data Import, move_card).
doc_events = {
	doctype: {
		"validate": "funnel_suite.funnels.card.validate_card",
		"on_update": "funnel_suite.funnels.card.log_card_move",
	}
	for doctype in funnel_document_types
}
# Fields and tables only the app writes (funnel_suite.funnels.owned): on every save path, before
# anything else validates, a user's value is put back (fields) or the save refused (tables).
from funnel_suite.funnels.owned import OWNED_FIELDS  # the one list of app-owned fields and tables

for _doctype in OWNED_FIELDS:
	doc_events.setdefault(_doctype, {})["before_validate"] = "funnel_suite.funnels.owned.keep_owned_fields"
# The intake's key table follows Leads and Contacts.
doc_events["Lead"]["on_update"] = [
	"funnel_suite.funnels.card.log_card_move",
	"funnel_suite.funnel_qualification.keys.sync_lead",
]
doc_events["Lead"]["on_trash"] = "funnel_suite.funnel_qualification.keys.drop_keys"
doc_events["Lead"]["before_insert"] = "funnel_suite.funnel_qualification.keys.refuse_import_duplicates"
doc_events["Contact"] = {
	"on_update": "funnel_suite.funnel_qualification.keys.sync_contact",
	"on_trash": "funnel_suite.funnel_qualification.keys.drop_keys",
}
# Opportunity: ERPNext's Declare Lost and the funnel's Lost stages stay in step.
doc_events["Opportunity"]["validate"] = [
	"funnel_suite.funnel_sales.lost.follow_declare_lost",
	"funnel_suite.funnels.card.validate_card",
	"funnel_suite.funnel_sales.lost.keep_status_in_step",
]

# Analytics: the current-stage table follows every save and deletion of a card.
for _doctype in funnel_document_types:
	for _event, _method in (
		("on_update", "funnel_suite.funnel_analytics.summary.sync_card_state"),
		("on_trash", "funnel_suite.funnel_analytics.summary.delete_card_state"),
	):
		_current = doc_events[_doctype].get(_event) or []
		doc_events[_doctype][_event] = [*([_current] if isinstance(_current, str) else _current), _method]

# Called after every logged move with (doc, log entries), in the move's transaction.
funnel_on_move = [
	"funnel_suite.funnel_sales.refusals.on_card_moved",
	"funnel_suite.funnel_qualification.quality.on_card_moved",
	"funnel_suite.funnel_analytics.summary.on_card_moved",
]
# Called with (funnel doc, funnel before the save) after a Funnel is saved.
funnel_on_definition_change = ["funnel_suite.funnel_analytics.summary.on_funnel_changed"]
# Called after cards were placed in funnels in bulk (their moves logged without per-move hooks).
funnel_on_bulk_placement = ["funnel_suite.funnel_analytics.summary.rebuild"]
# Hand-off rules computed from settings, called with (doc, funnel, stage reached).
funnel_handoff_rules = ["funnel_suite.funnel_sales.deferred.deferred_handoff"]

permission_query_conditions = {
	"Funnel Transition": "funnel_suite.funnels.doctype.funnel_transition.funnel_transition.get_permission_query_conditions",
}
has_permission = {
	"Funnel Transition": "funnel_suite.funnels.doctype.funnel_transition.funnel_transition.has_permission",
}

scheduler_events = {
	# marks cards that sit too long in a stage and notifies owners / managers (batched, rerunnable)
	"daily_long": [
		"funnel_suite.funnels.stale.flag_stale_cards",
		"funnel_suite.funnel_sales.deferred.wake_up_deferred",
		"funnel_suite.funnel_sales.deferred.reanimate_lost_deals",
	],
}

# Cadences: a card entering a stage with a cadence is enrolled, leaving it / a received reply
# stops the enrollment; a job every 5 minutes enqueues the due steps (sent in background jobs).
funnel_on_move.append("funnel_suite.funnel_cadences.enrollment.on_card_moved")
doc_events.setdefault("Communication", {})["after_insert"] = (
	"funnel_suite.funnel_cadences.enrollment.on_communication"
)
permission_query_conditions["Cadence Enrollment"] = (
	"funnel_suite.funnel_cadences.doctype.cadence_enrollment.cadence_enrollment.get_permission_query_conditions"
)
has_permission["Cadence Enrollment"] = (
	"funnel_suite.funnel_cadences.doctype.cadence_enrollment.cadence_enrollment.has_permission"
)
scheduler_events.setdefault("cron", {}).setdefault("*/5 * * * *", []).append(
	"funnel_suite.funnel_cadences.sender.send_due_steps"
)
override_doctype_dashboards = {
	**globals().get("override_doctype_dashboards", {}),
	"Lead": "funnel_suite.funnel_cadences.setup.lead_dashboard",
	"Opportunity": "funnel_suite.funnel_cadences.setup.opportunity_dashboard",
}

# Repeat sales: submitted invoices / delivery notes schedule Planned Contacts (cancel undoes),
# a daily job works the due ones; the Customer form's connections list them.
for _repeat_doctype in ("Sales Invoice", "Delivery Note"):
	doc_events.setdefault(_repeat_doctype, {}).update(
		{
			"on_submit": "funnel_suite.funnel_repeat_sales.planner.on_submit",
			"on_cancel": "funnel_suite.funnel_repeat_sales.planner.on_cancel",
		}
	)
scheduler_events["daily_long"].append("funnel_suite.funnel_repeat_sales.planner.run_daily")
override_doctype_dashboards = {
	**globals().get("override_doctype_dashboards", {}),
	"Customer": "funnel_suite.funnel_repeat_sales.dashboard.customer_dashboard",
}

# Stored XSS: JSON-wrapped markup (which the host's sanitizer skips) in the Small Text / Text
# fields of the app's own doctypes is sanitized on save (funnel_suite.funnels.sanitize).
_any_doctype = doc_events.setdefault("*", {})
_current = _any_doctype.get("validate") or []
_any_doctype["validate"] = [
	*([_current] if isinstance(_current, str) else _current),
	"funnel_suite.funnels.sanitize.sanitize_json_markup",
]

# Deleting a card (the host's delete, by a user with delete permission): the app removes what
# belongs to the card alone in the same transaction. Hooks get (card, its move log rows) before
# the log rows are removed.
for _doctype in funnel_document_types:
	_current = doc_events[_doctype].get("on_trash") or []
	doc_events[_doctype]["on_trash"] = [
		*([_current] if isinstance(_current, str) else _current),
		"funnel_suite.funnels.deletion.on_card_trash",
	]
funnel_on_card_delete = [
	"funnel_suite.funnel_sales.refusals.on_deal_deleted",
	"funnel_suite.funnel_analytics.summary.on_card_deleted",
	"funnel_suite.funnel_cadences.enrollment.on_card_deleted",
	"funnel_suite.funnel_repeat_sales.planner.on_card_deleted",
]
# The host's Personal Data Deletion Request also clears the app's copies of the person: the
# app's own fields on the Lead found by the email (the host replaces the email itself there),
# texts of cadence runs (delivery errors may quote an address); the intake's key table is purged
# by funnel_suite.funnel_qualification.keys.forget_person.
user_data_fields = [
	{
		"doctype": "Lead",
		"filter_by": "email_id",
		"redact_fields": ["funnel_phone_as_given", "funnel_external_id", "telegram_chat_id"],
	},
	{"doctype": "Cadence Enrollment Step", "strict": True},
]
doc_events.setdefault("Personal Data Deletion Request", {})["on_update"] = (
	"funnel_suite.funnel_qualification.keys.forget_person"
)

# Procurement (its hooks are listed in funnel_suite.funnel_procurement.events): who sees a case,
# the named stage checks, buying documents that move cases, daily alarms, lineage.
from funnel_suite.funnel_procurement import events as _procurement

permission_query_conditions.update(_procurement.PERMISSION_QUERY_CONDITIONS)
has_permission.update(_procurement.HAS_PERMISSION)
funnel_stage_checks = _procurement.STAGE_CHECKS
_procurement.append_hooks(doc_events, _procurement.DOC_EVENTS)
_procurement.append_hooks(override_doctype_dashboards, _procurement.DASHBOARDS)
scheduler_events["daily_long"].append(_procurement.DAILY_JOB)
funnel_on_card_delete.append(_procurement.ON_CARD_DELETE)
funnel_customer_cards = [*globals().get("funnel_customer_cards", []), _procurement.CUSTOMER_CARDS]
