"""What part of the analytics a user may see.

The reports never count a card the user cannot open. The fast path answers from the
pre-aggregated tables, which carry company, owner, source and territory: it applies when the
user's restrictions on a card doctype are user permissions on exactly those dimensions (the
usual "this salesperson works for company X / territory Y" setup) — the same values, the same
empty-value rule and the same tree descendants as the host's list queries. Any other
restriction (owner-only roles, user permissions on other linked doctypes or on the cards
themselves, permission hooks) switches the report to the exact path: the move log and the
current-stage table joined with the host's own list query for the cards the user may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe
from frappe import _
from frappe.core.doctype.user_permission.user_permission import get_user_permissions

# card field -> summary column, for the dimensions the summaries carry
DIMENSION_FIELDS = {"company": "company", "territory": "territory", "source": "source"}


@dataclass
class Scope:
	doctype: str
	user: str
	# summary column -> the values the user may see ('' = cards without a value), absent = all
	dims: dict[str, list[str]] = field(default_factory=dict)
	# the host's list query of the cards the user may read, when dims cannot express it
	cards_sql: str | None = None

	@property
	def exact(self) -> bool:
		return self.cards_sql is not None

	def conditions(self, alias: str, params: dict, reference: bool = True) -> str:
		"""SQL conditions restricting rows of an analytics table aliased `alias` to this scope.
		Values go into `params`; only the host's own list query is inlined."""
		parts = []
		for column, values in self.dims.items():
			key = f"scope_{alias}_{column}"
			params[key] = tuple(values) or ("\x00",)
			parts.append(f"{alias}.`{column}` in %({key})s")
		if self.cards_sql is not None and reference:
			key = f"scope_{alias}_doctype"
			params[key] = self.doctype
			cards = self.cards_sql.replace("%", "%%")  # inlined next to %(...)s parameters
			parts.append(f"{alias}.reference_doctype = %({key})s and {alias}.reference_name in ({cards})")
		return " and ".join(f"({p})" for p in parts) or "1=1"


def scope_for(doctype: str, user: str | None = None) -> Scope:
	"""The scope of `user` on cards of `doctype`; refuses a user who may not read them at all."""
	user = user or frappe.session.user
	if not frappe.has_permission(doctype, "read", user=user):
		frappe.throw(
			_("You do not have permission to read {0}, so you cannot see its funnel analytics.").format(
				_(doctype)
			),
			frappe.PermissionError,
		)
	scope = Scope(doctype=doctype, user=user)
	if user == "Administrator":
		return scope
	if _needs_exact(doctype, user, scope):
		scope.dims = {}
		scope.cards_sql = frappe.get_list(doctype, fields=["name"], user=user, run=0, order_by="")
	return scope


def _needs_exact(doctype: str, user: str, scope: Scope) -> bool:
	meta = frappe.get_meta(doctype)
	if frappe.get_hooks("permission_query_conditions", {}).get(doctype):
		return True
	role_permissions = frappe.permissions.get_role_permissions(meta, user=user)
	if not role_permissions.get("read") or role_permissions.get("if_owner", {}).get("read"):
		# read only through owner rules or shares
		return True
	permissions = get_user_permissions(user)
	if not permissions:
		return False
	strict = frappe.get_system_settings("apply_strict_user_permissions")
	link_fields = [df for df in meta.get_link_fields() if not df.get("ignore_user_permissions")]
	if permissions.get(doctype):
		return True
	for df in link_fields:
		entries = permissions.get(df.options) or []
		docs = [
			p.get("doc") for p in entries if not p.get("applicable_for") or p.get("applicable_for") == doctype
		]
		if not docs:
			continue
		column = DIMENSION_FIELDS.get(df.fieldname)
		if column is None:
			return True
		scope.dims[column] = [*docs, *([] if strict else [""])]
	return False
