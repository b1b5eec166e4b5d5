# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt
"""A node of a warranty route (a tree edited in the desk's Tree view). Saving a node checks it
with the engine; saving a node of an *active* route (its root ticked Active) checks the whole
route, so claims never follow a broken tree. Errors name the node."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils.nestedset import NestedSet

from funnel_suite.engine import warranty_route as wr
from funnel_suite.funnel_warranty import routes

# Problems that concern the node being saved alone (a route under construction may still have
# questions with one answer and nodes no answer reaches yet; activating the route checks those).
WHOLE_ROUTE_CODES = frozenset(
	("too_few_answers", "unreachable_node", "several_roots", "no_root", "check_needs_yes_no")
)


class WarrantyRoute(NestedSet):
	nsm_parent_field = "parent_warranty_route"

	def validate(self):
		self.node_name = (self.node_name or "").strip()
		self.is_group = 0 if self.node_kind == wr.KIND_LEAF else 1
		if self.parent_warranty_route:
			self.is_active = 0
			parent_kind = frappe.db.get_value(routes.ROUTE_DOCTYPE, self.parent_warranty_route, "node_kind")
			if parent_kind == wr.KIND_LEAF:
				frappe.throw(
					_("Node {0} cannot go below {1}: a leaf ends the route.").format(
						frappe.bold(self.name), frappe.bold(self.parent_warranty_route)
					),
					title=_("Invalid Route"),
				)
		if self.node_kind == wr.KIND_LEAF:
			self.answers = []
		self.check_route()

	def check_route(self):
		root = routes.root_of(self.parent_warranty_route) if self.parent_warranty_route else self.name
		active = (
			self.is_active
			if root == self.name
			else frappe.db.get_value(routes.ROUTE_DOCTYPE, root, "is_active")
		)
		docs = (
			{d.name: d for d in routes.route_docs(root)}
			if not self.is_new() or self.parent_warranty_route
			else {}
		)
		docs[self.name] = self
		nodes = [routes.to_node(d) for d in docs.values()]
		route = wr.Route(nodes)
		problems = wr.validate_route(nodes, routes.funnel_doctypes(route), routes.field_schema())
		if not active:
			problems = [p for p in problems if p.node == self.name and p.code not in WHOLE_ROUTE_CODES]
		if problems:
			frappe.throw(
				"<br>".join(routes.problem_message(p) for p in problems),
				title=_("Invalid Route"),
			)

	def on_update(self):
		super().on_update()
		for name in {self.name, self.parent_warranty_route} - {None, ""}:
			frappe.clear_document_cache(routes.ROUTE_DOCTYPE, name)

	def on_trash(self):
		super().on_trash(allow_root_deletion=True)
