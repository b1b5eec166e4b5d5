"""Every `funnel_suite.api.<name>` the README documents resolves through the host's own lookup
(`frappe.get_attr`, as `/api/method/<path>` does) to a whitelisted function (`is_whitelisted`, the
gate the request handler runs), after the api module was split into one module per domain."""

from __future__ import annotations

import re
from pathlib import Path

import frappe
from frappe.handler import is_whitelisted
from frappe.tests.utils import FrappeTestCase

import funnel_suite
import funnel_suite.api

README = Path(funnel_suite.__file__).resolve().parents[1] / "README.md"
PATH = re.compile(r"funnel_suite\.api\.([A-Za-z_][A-Za-z0-9_]*)")
# in a row of the API table, `name(...)` / `name` after a " / " is a method of the same module
TABLE_ROW = re.compile(r"^\| `funnel_suite\.api\.[^|]*")
SIBLING = re.compile(r" / `([a-z_][a-z0-9_]*)(?:\(|`)")


def documented_paths(text: str) -> list[str]:
	names = set(PATH.findall(text))
	for line in text.splitlines():
		first_cell = TABLE_ROW.match(line)
		if first_cell:
			names.update(SIBLING.findall(first_cell.group(0)))
	return sorted(f"funnel_suite.api.{name}" for name in names)


class TestApiPaths(FrappeTestCase):
	def test_the_readme_names_the_api(self):
		paths = documented_paths(README.read_text(encoding="utf-8"))
		# the API table and the sections around it: cards, funnels, refusals, intake, analytics,
		# repeat sales, procurement
		for expected in (
			"funnel_suite.api.move_card",
			"funnel_suite.api.get_presets",
			"funnel_suite.api.public_intake",
			"funnel_suite.api.get_planned_contacts",
			"funnel_suite.api.make_case_supplier_quotation",
		):
			self.assertIn(expected, paths)
		self.assertGreaterEqual(len(paths), 25)

	def test_every_public_method_is_documented(self):
		documented = set(documented_paths(README.read_text(encoding="utf-8")))
		public = {
			f"funnel_suite.api.{name}"
			for name in dir(funnel_suite.api)
			if callable(getattr(funnel_suite.api, name))
			and getattr(funnel_suite.api, name) in frappe.whitelisted
		}
		self.assertEqual(public - documented, set(), "add these to README's API table")

	def test_every_documented_path_resolves_to_a_whitelisted_method(self):
		for path in documented_paths(README.read_text(encoding="utf-8")):
			with self.subTest(path=path):
				fn = frappe.get_attr(path)
				self.assertTrue(callable(fn), path)
				is_whitelisted(fn)  # raises PermissionError when it is not whitelisted
				self.assertIs(getattr(funnel_suite.api, path.rpartition(".")[2]), fn)

	def test_a_path_that_is_not_whitelisted_is_refused(self):
		# the check above can fail: a helper the package also names is not a method
		fn = frappe.get_attr("funnel_suite.api._check_card_doctype")
		self.assertRaises(frappe.PermissionError, is_whitelisted, fn)
		self.assertRaises(AttributeError, frappe.get_attr, "funnel_suite.api.no_such_method")

	def test_each_method_is_the_domain_modules_own_function_object(self):
		from funnel_suite.api import analytics, cards, procurement, qualification, refusals, repeat_sales
		from funnel_suite.funnel_procurement import api as procurement_api

		self.assertIs(funnel_suite.api.move_card, cards.move_card)
		self.assertIs(funnel_suite.api.intake, qualification.intake)
		self.assertIs(funnel_suite.api.review_refusal, refusals.review_refusal)
		self.assertIs(funnel_suite.api.funnel_open_cards, analytics.funnel_open_cards)
		self.assertIs(funnel_suite.api.run_repeat_sales_now, repeat_sales.run_repeat_sales_now)
		self.assertIs(procurement.make_case_purchase_order, procurement_api.make_case_purchase_order)
		self.assertIs(funnel_suite.api.make_case_purchase_order, procurement_api.make_case_purchase_order)
