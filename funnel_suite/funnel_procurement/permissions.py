"""Who sees a Procurement Case.

Purchase User and Purchase Manager work cases (the DocType's own permission rules). A Sales User
reads a case only while they may read the deal, sales order or project it serves (`serves`): the
host's own permission check and list query of that document decide — roles, user permissions,
shares, owner rules — so a salesperson sees exactly the purchases behind the deals they see, and
never writes them. Everyone else has no rule on the DocType and is refused by the host.
"""

from __future__ import annotations

import frappe

PURCHASE_ROLES = frozenset(("Purchase User", "Purchase Manager"))
SERVES_DOCTYPES = ("Opportunity", "Sales Order", "Project")
READ_PTYPES = (None, "read", "select", "report", "export", "print")


def works_cases(user: str | None = None) -> bool:
	user = user or frappe.session.user
	return user == "Administrator" or bool(PURCHASE_ROLES & set(frappe.get_roles(user)))


def has_permission(doc, ptype=None, user=None, debug=False) -> bool | None:
	"""has_permission hook: buyers fall through to the DocType's rules; anyone else reads a case
	only through the document it serves, and never changes it."""
	user = user or frappe.session.user
	if works_cases(user):
		return None
	if ptype not in READ_PTYPES:
		return False
	if doc.get("serves_doctype") not in SERVES_DOCTYPES or not doc.get("serves"):
		return False
	return bool(frappe.has_permission(doc.serves_doctype, "read", doc.serves, user=user))


def get_permission_query_conditions(user: str | None = None) -> str:
	"""List query: buyers see every case (their User Permissions apply as usual); anyone else the
	cases serving a document the host lists for them."""
	user = user or frappe.session.user
	if works_cases(user):
		return ""
	table = "`tabProcurement Case`"
	clauses = []
	for doctype in SERVES_DOCTYPES:
		if not frappe.has_permission(doctype, "read", user=user):
			continue
		readable = frappe.get_list(doctype, fields=["name"], user=user, run=0, order_by="")
		clauses.append(
			f"({table}.`serves_doctype` = {frappe.db.escape(doctype)} and {table}.`serves` in ({readable}))"
		)
	return "(" + " or ".join(clauses) + ")" if clauses else "1=0"
