"""Warranty Route in the desk: a Funnel Manager builds a route node by node; saving checks it with
the engine (errors name the node); an active route is checked whole; support agents only read."""

from __future__ import annotations

import frappe

from funnel_suite.funnel_warranty import test_helpers as h
from funnel_suite.tests.utils import FunnelTestCase, unique


class TestWarrantyRoute(FunnelTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		frappe.set_user("Administrator")
		h.make_people()

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.message_log = []

	def node(self, name, parent=None, kind="Question", **values):
		return frappe.get_doc(
			{
				"doctype": "Warranty Route",
				"node_name": name,
				"parent_warranty_route": parent,
				"node_kind": kind,
				"question": values.pop("question", f"{name}?" if kind != "Leaf" else None),
				**values,
			}
		).insert()

	def build(self):
		"""A small draft route: tools? (item group check) -> repair / reject."""
		frappe.set_user(h.FUNNEL_MANAGER)
		root = self.node(
			unique("Tools"),
			kind="Automatic Check",
			check_source="Item",
			check_field="item_group",
			check_operator="=",
			check_value="Power Tools",
		)
		yes = self.node(unique("Fix"), root.name, "Leaf", outcome="Repair", branch_funnel="Warranty repair")
		no = self.node(
			unique("Refuse"),
			root.name,
			"Leaf",
			outcome="Reject with explanation",
			branch_funnel="Warranty rejected",
		)
		root.reload()
		root.append("answers", {"answer": "Yes", "next_node": yes.name})
		root.append("answers", {"answer": "No", "next_node": no.name})
		root.save()
		return root, yes, no

	def test_funnel_manager_builds_and_activates_a_route(self):
		root, yes, _no = self.build()
		root.is_active = 1
		root.save()
		self.assertTrue(frappe.db.get_value("Warranty Route", root.name, "is_active"))
		self.assertEqual(frappe.db.get_value("Warranty Route", yes.name, "parent_warranty_route"), root.name)
		self.assertFalse(frappe.db.get_value("Warranty Route", yes.name, "is_group"))
		self.assertTrue(frappe.db.get_value("Warranty Route", root.name, "is_group"))

	def test_a_draft_is_checked_node_by_node_and_activation_checks_the_whole_tree(self):
		frappe.set_user(h.FUNNEL_MANAGER)
		root = self.node(unique("Q"))
		a = self.node(unique("A"), root.name, "Leaf", outcome="Repair", branch_funnel="Warranty repair")
		root.reload()
		root.append("answers", {"answer": "Yes", "next_node": a.name})
		root.save()  # a draft may have one answer for now
		root.is_active = 1
		with self.assertRaises(frappe.ValidationError) as caught:
			root.save()
		self.assertIn(root.name, str(caught.exception))
		self.assertIn("at least two answers", str(caught.exception))

	def test_bad_nodes_are_refused_naming_the_node(self):
		frappe.set_user(h.FUNNEL_MANAGER)
		root = self.node(unique("Root"))
		deals = frappe.db.get_value("Funnel", {"document_type": "Opportunity"})
		cases = [
			(
				{"node_kind": "Leaf", "outcome": "Repair", "branch_funnel": deals},
				"does not hold Warranty Claims",
			),
			({"node_kind": "Leaf", "outcome": "Repair"}, "needs a branch funnel"),
			(
				{
					"node_kind": "Automatic Check",
					"check_source": "Serial No",
					"check_field": "no_such",
					"check_value": "1",
				},
				"does not exist",
			),
			(
				{
					"node_kind": "Automatic Check",
					"check_source": "Serial No",
					"check_field": "warranty_period",
					"check_operator": ">",
					"check_value": "a year",
				},
				"value and field type do not fit",
			),
			(
				{"node_kind": "Automatic Check", "data_check": "delivered_within_days", "check_days": 0},
				"number of days",
			),
		]
		for values, words in cases:
			name = unique("Bad")
			with self.subTest(values=values), self.assertRaises(frappe.ValidationError) as caught:
				self.node(name, root.name, **values)
			self.assertIn(name, str(caught.exception))
			self.assertIn(words, str(caught.exception))
		# a leaf cannot have nodes below it
		leaf = self.node(unique("Leaf"), root.name, "Leaf", outcome="Refund", branch_funnel="Warranty refund")
		with self.assertRaises(frappe.ValidationError):
			self.node(unique("Below"), leaf.name)

	def test_an_active_route_cannot_be_broken(self):
		root, _yes, no = self.build()
		root.is_active = 1
		root.save()
		frappe.set_user(h.FUNNEL_MANAGER)
		root.reload()
		root.answers = root.answers[:1]
		with self.assertRaises(frappe.ValidationError) as caught:
			root.save()
		self.assertIn(no.name, str(caught.exception))  # no answer leads to it any more

	def test_support_agents_read_routes_and_cannot_edit_them(self):
		frappe.set_user(h.SUPPORT)
		self.assertTrue(frappe.has_permission("Warranty Route", "read"))
		with self.assertRaises(frappe.PermissionError):
			self.node(unique("Mine"))
		doc = frappe.get_doc("Warranty Route", h.ROUTE)
		doc.question = "Changed?"
		with self.assertRaises(frappe.PermissionError):
			doc.save()
		frappe.set_user(h.SALES)
		self.assertFalse(frappe.has_permission("Warranty Route", "read"))

	def test_a_claim_follows_a_route_checking_a_field_of_the_item(self):
		root, yes, no = self.build()
		root.is_active = 1
		root.save()
		frappe.set_user("Administrator")
		customer = h.make_customer()
		item = h.make_item()  # its item group is not Power Tools
		frappe.set_user(h.SUPPORT)
		claim = h.make_claim(customer, item=item, warranty_route=root.name)
		self.assertEqual((claim.warranty_node, claim.warranty_outcome), (no.name, "Reject with explanation"))
		self.assertEqual(claim.funnel, "Warranty rejected")
		# a node that is not a route's active root is refused as the claim's route
		with self.assertRaises(frappe.ValidationError):
			h.make_claim(customer, item=item, warranty_route=yes.name)

	def test_the_tree_view_lists_routes_and_adds_nodes(self):
		from frappe.desk.treeview import add_node, get_children

		frappe.set_user(h.FUNNEL_MANAGER)
		roots = {r.value: r.expandable for r in get_children("Warranty Route", parent="")}
		self.assertEqual(roots.get(h.ROUTE), 1)
		below = {r.value for r in get_children("Warranty Route", parent="Defect confirmed?")}
		self.assertEqual(below, {"Repairable?", "Rejected: no defect"})
		name = unique("Tree question")
		frappe.form_dict.update(
			{
				"doctype": "Warranty Route",
				"parent": "",
				"node_name": name,
				"node_kind": "Question",
				"question": "Asked from the tree?",
				"is_root": "true",
			}
		)
		try:
			add_node()
		finally:
			frappe.local.form_dict = frappe._dict()
		self.assertIsNone(frappe.db.get_value("Warranty Route", name, "parent_warranty_route"))

	def test_the_warranty_preset_brings_its_starter_route(self):
		from unittest.mock import patch

		from funnel_suite.api import apply_preset
		from funnel_suite.funnel_warranty.preset import create_starter_route
		from funnel_suite.workflows import load_preset

		frappe.set_user(h.FUNNEL_MANAGER)
		with patch("funnel_suite.funnel_warranty.preset.create_starter_route") as made:
			self.assertEqual(apply_preset("warranty"), [])  # installed already: no funnel twice
		spec = load_preset("warranty")
		made.assert_called_once()
		self.assertEqual(made.call_args.args[0], spec["route"])
		self.assertEqual(made.call_args.args[1]["Warranty repair"], "Warranty repair")
		# the same route under other names: created, switched on (so checked whole), idempotent
		tag = unique("Copy")
		nodes = [
			{
				**n,
				"node_name": f"{tag} {n['node_name']}",
				"parent": f"{tag} {n['parent']}" if n.get("parent") else None,
				"answers": [[label, f"{tag} {target}"] for label, target in n.get("answers", [])],
			}
			for n in spec["route"]
		]
		funnels = {f["funnel_name"]: f["funnel_name"] for f in spec["funnels"]}
		root = create_starter_route(nodes, funnels)
		self.assertEqual(root, f"{tag} Warranty claim route")
		self.assertTrue(frappe.db.get_value("Warranty Route", root, "is_active"))
		self.assertEqual(frappe.db.count("Warranty Route", {"name": ("like", f"{tag}%")}), len(spec["route"]))
		self.assertIsNone(create_starter_route(nodes, funnels))
