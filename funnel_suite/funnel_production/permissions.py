"""Who sees a Production Order.

Manufacturing User / Manager and Stock User work orders (the DocType's own permission rules). An
executor reads the orders where they have a work: the order is shared with them for reading (the
host's own sharing, shown on the form; `sync_executor_shares`) while they have a work in it. A Sales User reads an order only while they may
read the deal or sales order it was made for (the host's own check and list query of that document
decide), and never writes it. Everyone else is refused by the host.
"""

from __future__ import annotations

import frappe

WORK_ROLES = frozenset(("Manufacturing User", "Manufacturing Manager", "Stock User"))
SOURCE_DOCTYPES = ("Opportunity", "Sales Order")
READ_PTYPES = (None, "read", "select", "report", "export", "print")
ORDER = "Production Order"


def works_orders(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(WORK_ROLES & set(frappe.get_roles(user)))


def _is_executor(order: str, user: str) -> bool:
	return bool(frappe.db.exists("Production Work", {"parent": order, "parenttype": ORDER, "executor": user}))


def has_permission(doc, ptype=None, user=None, debug=False) -> bool | None:
	"""has_permission hook: workshop roles fall through to the DocType's rules; an executor reads
	the orders they have a work in; a salesperson reads an order through its deal / sales order."""
	user = user or frappe.session.user
	if works_orders(user):
		return None
	if ptype not in READ_PTYPES:
		return False
	if doc.name and _is_executor(doc.name, user):
		return True
	if doc.get("source_doctype") not in SOURCE_DOCTYPES or not doc.get("source_name"):
		return False
	return bool(frappe.has_permission(doc.source_doctype, "read", doc.source_name, user=user))


def get_permission_query_conditions(user: str | None = None) -> str:
	"""List query: workshop roles see every order (their User Permissions apply as usual); anyone
	else the orders they have a work in and those made for a document the host lists for them."""
	user = user or frappe.session.user
	if works_orders(user):
		return ""
	table = "`tabProduction Order`"
	clauses = [
		f"{table}.`name` in (select `parent` from `tabProduction Work` where `parenttype` = "
		f"{frappe.db.escape(ORDER)} and `executor` = {frappe.db.escape(user)})"
	]
	for doctype in SOURCE_DOCTYPES:
		if not frappe.has_permission(doctype, "read", user=user):
			continue
		readable = frappe.get_list(doctype, fields=["name"], user=user, run=0, order_by="")
		clauses.append(
			f"({table}.`source_doctype` = {frappe.db.escape(doctype)} and {table}.`source_name` in ({readable}))"
		)
	return "(" + " or ".join(clauses) + ")"


def sync_executor_shares(doc) -> None:
	"""Production Order on_update: a read share for every executor of a work; a user who stops being
	an executor of the order loses the read-only share (one with write or share rights, which a
	person gave by hand, stays)."""
	now = {r.executor for r in doc.works if r.executor}
	before = doc.get_doc_before_save()
	was = {r.executor for r in before.works if r.executor} if before else set()
	for user in now - was:
		if not frappe.db.exists("DocShare", {"share_doctype": ORDER, "share_name": doc.name, "user": user}):
			# the app shares the order with the executors its writer named (their write on the order
			# was checked by this save): no share permission of theirs is needed
			frappe.share.add_docshare(
				ORDER, doc.name, user, read=1, notify=0, flags={"ignore_share_permission": True}
			)
	for user in was - now:
		share = frappe.db.get_value(
			"DocShare",
			{"share_doctype": ORDER, "share_name": doc.name, "user": user},
			["name", "write", "share", "submit"],
			as_dict=True,
		)
		if share and not (share.write or share.share or share.submit):
			# the app's own read share (see above), removed as it was given
			frappe.delete_doc(
				"DocShare", share.name, ignore_permissions=True, flags={"ignore_share_permission": True}
			)
