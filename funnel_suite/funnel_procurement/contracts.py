"""An ERPNext Contract made for a procurement case links itself to the case.

The case's Create > Contract button opens a new Contract with party type Supplier, the case's
supplier and `procurement_case` set. The contract's validate checks the link (read permission on
the case, the contract's party is the case's supplier); its save then writes the contract into the
case's `contract` field — the field the *contract signed* stage check reads — when the case has
none yet, through the case's normal save and the saving user's write permission on the case. A case
that already names another contract keeps it (a buyer replaces it on the case on purpose); the user
is told so.
"""

from __future__ import annotations

import frappe
from frappe import _

from funnel_suite.funnel_procurement.setup import CASE_FIELD
from funnel_suite.funnels.audit import bold  # names users typed, escaped in HTML messages

CASE = "Procurement Case"


def check_contract_case(doc, method=None) -> None:
	"""validate of a Contract: the case it names may be read by the user and buys from the
	contract's party."""
	case = doc.get(CASE_FIELD)
	if not case:
		return
	before = doc.get_doc_before_save()
	changed = before is None or before.get(CASE_FIELD) != case
	if changed and not frappe.has_permission(CASE, "read", case):
		frappe.throw(
			_("You may not read procurement case {0}, so this contract cannot be linked to it.").format(
				bold(case)
			),
			exc=frappe.PermissionError,
			title=_("Not Permitted"),
		)
	supplier = frappe.db.get_value(CASE, case, "supplier")
	if supplier and (doc.party_type != "Supplier" or doc.party_name != supplier):
		frappe.throw(
			_(
				"Contract party {0} {1} is not the supplier of procurement case {2} ({3}). Set Party Type to Supplier and Party to {3}, or clear Procurement Case."
			).format(
				_(doc.party_type) if doc.party_type else "",
				bold(doc.party_name or "-"),
				bold(case),
				bold(supplier),
			),
			title=_("Wrong Supplier"),
		)


def link_contract_to_case(doc, method=None) -> None:
	"""on_update of a Contract: the case names this contract (if it named none)."""
	name = doc.get(CASE_FIELD)
	if not name or doc.docstatus == 2:
		return
	current = frappe.db.get_value(CASE, name, "contract")
	if current == doc.name:
		return
	if current:
		frappe.msgprint(
			_(
				"Procurement case {0} already names contract {1}; it keeps it. Change the case's Contract field if this contract replaces it."
			).format(bold(name), bold(current)),
			indicator="orange",
			alert=True,
		)
		return
	if not frappe.has_permission(CASE, "write", name):
		frappe.msgprint(
			_(
				"You may not change procurement case {0}: ask its buyer to set its Contract field to {1}."
			).format(bold(name), bold(doc.name)),
			indicator="orange",
			alert=True,
		)
		return
	case = frappe.get_doc(CASE, name, for_update=True)
	case.contract = doc.name
	case.save()  # the saving user's own write permission on the case (checked above and by save)
