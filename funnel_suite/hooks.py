"""The app's hooks, as a table: every hook is a literal dict or list, grouped by the domain it
serves; the per-doctype document events are built in one place (`doc_events`, at the end) from the
card doctypes and one ordered list of handlers per domain."""

from funnel_suite.funnels.owned import OWNED_FIELDS as _OWNED_FIELDS  # the app-owned fields and tables

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

# Strings Frappe and ERPNext already translate are left out of this app's POT file.
ignore_translatable_strings_from = ["frappe", "erpnext"]

# --- install (funnel_suite/install.py calls each domain's setup.py in a fixed order) -----------
before_install = "funnel_suite.install.before_install"
after_install = "funnel_suite.install.after_install"
after_migrate = "funnel_suite.install.after_migrate"
before_uninstall = "funnel_suite.install.before_uninstall"
before_tests = "funnel_suite.install.before_tests"

# --- funnels: which document types are cards ------------------------------------------------------
# Document types that can be placed in a funnel. Later modules of this app add theirs.
funnel_document_types = ["Lead", "Opportunity", "Refusal Review", "Procurement Case", "Production Order"]
# A System Manager adds further card doctypes in Funnel Settings (Card Document Types): see
# funnels/card_types.py, `funnel_card_events` and the "*" document events below.
# Cards whose own status machine follows the funnel stage: doctype -> function(doc, method), called
# at the end of the card's validate, after the move is planned (doc.flags.funnel_log_rows).
funnel_status_sync = {
	"Opportunity": "funnel_suite.funnel_sales.lost.keep_status_in_step",  # Lost / Declare Lost
	"Warranty Claim": "funnel_suite.funnel_warranty.status.keep_status_in_step",  # Open / WIP / Closed
}
# Cards that move only through their own actions (a review moves by its verdict buttons).
funnel_action_driven_doctypes = ["Refusal Review"]

# --- desk: forms and lists ------------------------------------------------------------------------
# funnels: the stage bar and move history on every card form (qualification: the Lead's
# Qualify / Disqualify buttons; analytics: the customer journey on the Customer form; production:
# Create → Production Order on a Sales Order and an Opportunity).
doctype_js = {
	"Lead": ["public/js/funnel_card.js", "public/js/lead_qualification.js"],
	"Opportunity": ["public/js/funnel_card.js", "public/js/production_order_create.js"],
	"Sales Order": ["public/js/production_order_create.js"],
	"Refusal Review": ["public/js/funnel_card.js"],
	"Procurement Case": ["public/js/funnel_card.js"],
	# warranty: the stage bar and the guided route panel
	"Warranty Claim": ["public/js/warranty_claim.js"],  # warranty: the route panel
	"Production Order": ["public/js/funnel_card.js"],
	"Customer": ["public/js/customer_journey.js"],
}
# funnels: the stage filter and badges on every card list.
doctype_list_js = {
	"Lead": "public/js/funnel_list.js",
	"Opportunity": "public/js/funnel_list.js",
	"Refusal Review": "public/js/funnel_list.js",
	"Procurement Case": "public/js/funnel_list.js",
	"Production Order": "public/js/funnel_list.js",
}
# funnels: the stage bar and list settings on the card doctypes added in Funnel Settings (the
# doctype_js hooks above cannot name them; the script attaches to the doctypes in the boot info).
app_include_js = [
	"/assets/funnel_suite/js/funnel_card_types.js",
	# the filters and the escaping cell formatter the app's query reports share
	"/assets/funnel_suite/js/funnel_reports.js",
]
# funnels: the card doctypes and their default funnels in the boot info.
boot_session = "funnel_suite.funnels.card.boot_session"
# incoming mail of an account appending to Lead/Opportunity goes through the intake (issue 16)
override_doctype_class = {
	"Email Account": "funnel_suite.funnel_qualification.inbound_mail.FunnelEmailAccount",
}
# Connections on host forms: cadences (Lead, Opportunity), repeat sales (Customer),
# procurement (the deal / sales order / project a case serves).
override_doctype_dashboards = {
	"Lead": "funnel_suite.funnel_cadences.setup.lead_dashboard",
	"Opportunity": [
		"funnel_suite.funnel_cadences.setup.opportunity_dashboard",
		"funnel_suite.funnel_procurement.dashboard.opportunity_dashboard",
		"funnel_suite.funnel_production.dashboard.opportunity_dashboard",
	],
	"Customer": "funnel_suite.funnel_repeat_sales.dashboard.customer_dashboard",
	"Sales Order": [
		"funnel_suite.funnel_procurement.dashboard.sales_order_dashboard",
		"funnel_suite.funnel_production.dashboard.sales_order_dashboard",
	],
	"Project": "funnel_suite.funnel_procurement.dashboard.project_dashboard",
	# construction: the project a production order opened (Create Project hand-off)
	"Production Order": "funnel_suite.funnel_production.project.order_dashboard",
	# warranty: a claim's maintenance visits, parts (stock entries) and refunds (sales invoices)
	"Warranty Claim": "funnel_suite.funnel_warranty.documents.claim_dashboard",
}

# --- the app's own hooks (funnel_suite.funnels calls them) ----------------------------------------
# Called after every logged move with (doc, log entries), in the move's transaction.
funnel_on_move = [
	"funnel_suite.funnel_sales.refusals.on_card_moved",  # sales: refusal reviews
	"funnel_suite.funnel_qualification.quality.on_card_moved",  # qualification: lead quality
	"funnel_suite.funnel_analytics.summary.on_card_moved",  # analytics: the summary
	"funnel_suite.funnel_analytics.velocity_buckets.on_card_moved",  # analytics: velocity histograms
	"funnel_suite.funnel_cadences.enrollment.on_card_moved",  # cadences: enrol / stop on stage entry
	"funnel_suite.funnel_production.moves.on_card_moved",  # production: issue materials, open works
	"funnel_suite.funnels.project_handoffs.on_card_moved",  # Create Project hand-offs (construction)
]
# Called with (funnel doc, funnel before the save) after a Funnel is saved (analytics).
funnel_on_definition_change = ["funnel_suite.funnel_analytics.summary.on_funnel_changed"]
# Called after cards were placed in funnels in bulk (their moves logged without per-move hooks).
funnel_on_bulk_placement = [
	"funnel_suite.funnel_analytics.summary.rebuild",
	"funnel_suite.funnel_analytics.velocity_buckets.rebuild_on_bulk_placement",
]
# Hand-off rules computed from settings, called with (doc, funnel, stage reached) (sales).
funnel_handoff_rules = ["funnel_suite.funnel_sales.deferred.deferred_handoff"]
# Deleting a card (the host's delete, by a user with delete permission): hooks get (card, its move
# log rows) before the log rows are removed, in the same transaction.
funnel_on_card_delete = [
	"funnel_suite.funnel_sales.refusals.on_deal_deleted",
	"funnel_suite.funnel_analytics.summary.on_card_deleted",
	"funnel_suite.funnel_analytics.velocity_buckets.on_card_deleted",
	"funnel_suite.funnel_cadences.enrollment.on_card_deleted",
	"funnel_suite.funnel_repeat_sales.planner.on_card_deleted",
	"funnel_suite.funnel_procurement.alarms.on_case_deleted",
]
# procurement: named stage checks (funnel_suite.funnels.checks): name -> function (doc) -> reasons.
funnel_stage_checks = {
	"supplier_vetted": "funnel_suite.funnel_procurement.checks.supplier_vetted",
	"contract_signed": "funnel_suite.funnel_procurement.checks.contract_signed",
	"order_placed": "funnel_suite.funnel_procurement.checks.order_placed",
	"invoice_received": "funnel_suite.funnel_procurement.checks.invoice_received",
	"fully_received": "funnel_suite.funnel_procurement.checks.fully_received",
	"fully_paid": "funnel_suite.funnel_procurement.checks.fully_paid",
	# production: the works of the stage left are done; the storekeeper's stage issues the materials
	"production_works_done": "funnel_suite.funnel_production.checks.production_works_done",
	"issue_materials": "funnel_suite.funnel_production.checks.issue_materials",
}
# warranty: a preset's starter route, after its funnels exist (funnels/presets.py).
funnel_on_preset_applied = ["funnel_suite.funnel_warranty.preset.on_preset_applied"]
# procurement, production: a customer's cases and orders in the customer journey (analytics).
funnel_customer_cards = [
	"funnel_suite.funnel_procurement.dashboard.customer_cases",
	"funnel_suite.funnel_production.dashboard.customer_orders",  # production: the customer's orders
]

# --- permissions ----------------------------------------------------------------------------------
# funnels: the move log follows its card; cadences: an enrollment follows its card; procurement:
# buyers work cases, a salesperson reads the cases serving a deal / sales order / project they read.
permission_query_conditions = {
	"Funnel Transition": "funnel_suite.funnels.doctype.funnel_transition.funnel_transition.get_permission_query_conditions",
	"Cadence Enrollment": "funnel_suite.funnel_cadences.doctype.cadence_enrollment.cadence_enrollment.get_permission_query_conditions",
	"Procurement Case": "funnel_suite.funnel_procurement.permissions.get_permission_query_conditions",
	"Production Order": "funnel_suite.funnel_production.permissions.get_permission_query_conditions",
}
has_permission = {
	"Funnel Transition": "funnel_suite.funnels.doctype.funnel_transition.funnel_transition.has_permission",
	"Cadence Enrollment": "funnel_suite.funnel_cadences.doctype.cadence_enrollment.cadence_enrollment.has_permission",
	"Procurement Case": "funnel_suite.funnel_procurement.permissions.has_permission",
	"Production Order": "funnel_suite.funnel_production.permissions.has_permission",
}

# --- scheduler ------------------------------------------------------------------------------------
scheduler_events = {
	"daily_long": [
		# funnels: marks cards that sit too long in a stage, notifies owners / managers (batched)
		"funnel_suite.funnels.stale.flag_stale_cards",
		# sales: deferred demand wakes up, lost deals are reanimated
		"funnel_suite.funnel_sales.deferred.wake_up_deferred",
		"funnel_suite.funnel_sales.deferred.reanimate_lost_deals",
		# repeat sales: today's due planned contacts
		"funnel_suite.funnel_repeat_sales.planner.run_daily",
		# procurement: late deliveries and overdue supplier invoices
		"funnel_suite.funnel_procurement.alarms.raise_alarms",
	],
	"cron": {
		# cadences: the due steps, each sent in a background job
		"*/5 * * * *": ["funnel_suite.funnel_cadences.sender.send_due_steps"],
	},
}

# --- personal data (qualification, cadences) ------------------------------------------------------
# The host's Personal Data Deletion Request also clears the app's copies of the person: the app's
# own fields on the Lead found by the email (the host replaces the email itself there), texts of
# cadence runs (delivery errors may quote an address); the intake's key table is purged by
# funnel_suite.funnel_qualification.keys.forget_person (a document event below).
user_data_fields = [
	{
		"doctype": "Lead",
		"filter_by": "email_id",
		"redact_fields": ["funnel_phone_as_given", "funnel_external_id", "telegram_chat_id"],
	},
	{"doctype": "Cadence Enrollment Step", "strict": True},
]

# --- document events ------------------------------------------------------------------------------
# One list per domain of (doctypes, event, handler); `_CARDS` stands for every card doctype. For a
# doctype and event, handlers run in the order of the lists below, then of the rows in a list.
_CARDS = tuple(funnel_document_types)
_FUNNELS_OWNED = [
	# Fields and tables only the app writes (funnels/owned.py): on every save path, before anything
	# else validates, a user's value is put back (fields) or the save refused (tables).
	(tuple(_OWNED_FIELDS), "before_validate", "funnel_suite.funnels.owned.keep_owned_fields"),
]
_SALES_BEFORE_CARD = [
	# ERPNext's Declare Lost becomes a move to the funnel's Lost stage before the card rule runs.
	(("Opportunity",), "validate", "funnel_suite.funnel_sales.lost.follow_declare_lost"),
]
_FUNNELS = [
	# One rule for every path that saves a card (form, Kanban drag, REST, Data Import, move_card),
	# then the move log.
	(_CARDS, "validate", "funnel_suite.funnels.card.validate_card"),
	(_CARDS, "on_update", "funnel_suite.funnels.card.log_card_move"),
]
# (The Opportunity's status follows its funnel stage through the hook funnel_status_sync above.)
_QUALIFICATION = [
	# The intake's key table follows Leads and Contacts; imports cannot duplicate a known lead;
	# a Personal Data Deletion Request purges the person's keys.
	(("Lead",), "before_insert", "funnel_suite.funnel_qualification.keys.refuse_import_duplicates"),
	(("Lead",), "validate", "funnel_suite.funnel_qualification.channels.set_lead_channel"),
	(("Lead",), "on_update", "funnel_suite.funnel_qualification.keys.sync_lead"),
	(("Lead", "Contact"), "on_trash", "funnel_suite.funnel_qualification.keys.drop_keys"),
	(("Contact",), "on_update", "funnel_suite.funnel_qualification.keys.sync_contact"),
	(
		("Personal Data Deletion Request",),
		"on_update",
		"funnel_suite.funnel_qualification.keys.forget_person",
	),
]
_ANALYTICS = [
	# The current-stage table follows every save and deletion of a card.
	(_CARDS, "on_update", "funnel_suite.funnel_analytics.summary.sync_card_state"),
	(_CARDS, "on_trash", "funnel_suite.funnel_analytics.summary.delete_card_state"),
]
_CADENCES = [
	# A reply received stops the enrollment.
	(("Communication",), "after_insert", "funnel_suite.funnel_cadences.enrollment.on_communication"),
]
_REPEAT_SALES = [
	# Submitted invoices / delivery notes schedule Planned Contacts; cancelling undoes them.
	(("Sales Invoice", "Delivery Note"), "on_submit", "funnel_suite.funnel_repeat_sales.planner.on_submit"),
	(("Sales Invoice", "Delivery Note"), "on_cancel", "funnel_suite.funnel_repeat_sales.planner.on_cancel"),
]
_SECURITY = [
	# Stored XSS: JSON-wrapped markup (which the host's sanitizer skips) in the Small Text / Text
	# fields of the app's own doctypes is sanitized on save (funnels/sanitize.py).
	(("*",), "validate", "funnel_suite.funnels.sanitize.sanitize_json_markup"),
]
_FUNNELS_DELETION = [
	# Deleting a card removes what belongs to the card alone (funnel_on_card_delete above).
	(_CARDS, "on_trash", "funnel_suite.funnels.deletion.on_card_trash"),
]
_FUNNELS_SETTINGS_CARDS = [
	# The card doctypes added in Funnel Settings get the handlers of every card (funnel_card_events,
	# built below from the rows naming _CARDS) from these; other doctypes return at once.
	(("*",), "before_validate", "funnel_suite.funnels.card_types.on_before_validate"),
	(("*",), "validate", "funnel_suite.funnels.card_types.on_validate"),
	(("*",), "on_update", "funnel_suite.funnels.card_types.on_update"),
	(("*",), "on_trash", "funnel_suite.funnels.card_types.on_trash"),
]
_BUYING = (
	"Material Request",
	"Request for Quotation",
	"Supplier Quotation",
	"Purchase Order",
	"Purchase Receipt",
	"Purchase Invoice",
)
_RECEIVING = ("Purchase Order", "Purchase Receipt", "Purchase Invoice")
_PROCUREMENT = [
	# Buying documents link to a case and move it (funnel_procurement/moves.py).
	(_BUYING, "validate", "funnel_suite.funnel_procurement.moves.check_case_link"),
	(_RECEIVING, "on_submit", "funnel_suite.funnel_procurement.moves.on_submit"),
	(_RECEIVING, "on_cancel", "funnel_suite.funnel_procurement.moves.on_cancel"),
	(("Payment Entry", "Journal Entry"), "on_submit", "funnel_suite.funnel_procurement.moves.on_payment"),
	(("Payment Entry", "Journal Entry"), "on_cancel", "funnel_suite.funnel_procurement.moves.on_payment"),
	(("Purchase Order",), "before_submit", "funnel_suite.funnel_procurement.moves.check_order_supplier"),
	# A Contract made for a case links itself into the case (funnel_procurement/contracts.py).
	(("Contract",), "validate", "funnel_suite.funnel_procurement.contracts.check_contract_case"),
	(("Contract",), "on_update", "funnel_suite.funnel_procurement.contracts.link_contract_to_case"),
	(("Contract",), "on_submit", "funnel_suite.funnel_procurement.contracts.link_contract_to_case"),
]
_PRODUCTION = [
	# Stock Entries of an order: the link needs write on the order; submit / cancel move its issued
	# quantities. Closing a work's ToDo marks the work Done.
	(("Stock Entry",), "validate", "funnel_suite.funnel_production.stock.check_order_link"),
	(("Stock Entry",), "on_submit", "funnel_suite.funnel_production.stock.on_stock_entry_change"),
	(("Stock Entry",), "on_cancel", "funnel_suite.funnel_production.stock.on_stock_entry_change"),
	(("ToDo",), "on_update", "funnel_suite.funnel_production.works.on_todo_update"),
	# A Work Order made from an order (work_orders.py): its Job Cards carry the order and complete
	# its works of their operation; the Work Order's completion (ERPNext's update_status after a
	# Manufacture entry) moves the order to the ready stage; a cancelled Manufacture says so.
	(("Job Card",), "validate", "funnel_suite.funnel_production.work_orders.copy_order_link"),
	(("Job Card",), "on_submit", "funnel_suite.funnel_production.work_orders.on_job_card_change"),
	(("Job Card",), "on_cancel", "funnel_suite.funnel_production.work_orders.on_job_card_change"),
	(("Work Order",), "update_status", "funnel_suite.funnel_production.work_orders.on_work_order_status"),
	(("Stock Entry",), "on_cancel", "funnel_suite.funnel_production.work_orders.on_manufacture_cancel"),
]

_WARRANTY = [
	# A claim follows its warranty route (automatic checks, answers, the leaf's branch funnel) before
	# the card rule plans the move into the branch: Warranty Claim is a card added in Funnel Settings,
	# so its owned fields are put back by the "*" before_validate row and its card rule runs from the
	# "*" validate row, after this doctype's own validate handlers. (Its ERPNext status follows the
	# branch funnel through `funnel_status_sync` above.)
	(("Warranty Claim",), "validate", "funnel_suite.funnel_warranty.claim.follow_route"),
	# A claim's documents link to it: a visit made by ERPNext's mapper from the claim links itself;
	# linking needs read on the claim and the claim's customer.
	(("Maintenance Visit",), "before_validate", "funnel_suite.funnel_warranty.documents.link_visit"),
	(
		("Maintenance Visit", "Stock Entry", "Sales Invoice"),
		"validate",
		"funnel_suite.funnel_warranty.documents.check_claim_link",
	),
]

_EVENT_ROWS = (
	*_FUNNELS_OWNED,
	*_SALES_BEFORE_CARD,
	*_FUNNELS,
	*_QUALIFICATION,
	*_ANALYTICS,
	*_CADENCES,
	*_REPEAT_SALES,
	*_SECURITY,
	*_FUNNELS_DELETION,
	*_PROCUREMENT,
	*_WARRANTY,
	*_PRODUCTION,
	*_FUNNELS_SETTINGS_CARDS,
)
doc_events: dict[str, dict[str, list[str]]] = {}
# event -> the handlers of every card, in order: what the "*" rows above run for the card doctypes
# added in Funnel Settings (the owned fields first, as for the hook-declared cards).
funnel_card_events: dict[str, list[str]] = {
	"before_validate": ["funnel_suite.funnels.owned.keep_owned_fields"]
}
for _doctypes, _event, _handler in _EVENT_ROWS:
	for _doctype in _doctypes:
		doc_events.setdefault(_doctype, {}).setdefault(_event, []).append(_handler)
	if _doctypes is _CARDS:
		funnel_card_events.setdefault(_event, []).append(_handler)
