"""SQL metacharacters in every report filter and every string argument of the API.

A payload is only a value: a report given one in a filter answers exactly as for a plain value
that matches nothing (or refuses it with a clear message); a method given one answers or refuses
with one of the host's ordinary exceptions — never a database error, never a crash.
"""

from __future__ import annotations

from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report
from frappe.handler import is_whitelisted
from frappe.utils import add_days, today

from funnel_suite.tests.test_permission_matrix import MATRIX, MatrixFixtures

SQL_PAYLOADS = (
	"' OR '1'='1",
	'" OR "1"="1',
	"1) OR (1=1",
	"'; DROP TABLE `tabLead`; --",
	"x' UNION SELECT name, api_key FROM `tabUser` -- ",
	"%",
	"_",
	"\\",
	"`tabUser`",
	"0x27",
)
NOTHING = "zz no such value"

# report → (filters that make it run, the filters that take text)
REPORTS = {
	"Funnel Conversion": (
		{"funnel": "{funnel}", "from_date": "{from}", "to_date": "{to}"},
		("funnel", "company", "card_owner", "source", "territory", "group_by", "from_date", "to_date"),
	),
	"Stage Velocity": (
		{"funnel": "{funnel}", "from_date": "{from}", "to_date": "{to}"},
		("funnel", "company", "card_owner", "source", "territory", "from_date", "to_date"),
	),
	"Stale Cards": (
		{"funnel": "{funnel}"},
		("funnel", "company", "card_owner", "source", "territory", "limit"),
	),
	"Funnel Forecast": (
		{"funnel": "{funnel}", "from_date": "{from}", "to_date": "{to}"},
		("funnel", "company", "card_owner", "source", "territory", "from_date", "to_date"),
	),
	"Refusal Analysis": (
		{"from_date": "{from}", "to_date": "{to}"},
		("funnel", "salesperson", "from_date", "to_date"),
	),
	"Cross-sell Leads": ({"from_date": "{from}", "to_date": "{to}"}, ("target_for", "from_date", "to_date")),
	"Lead Source Quality": (
		{"from_date": "{from}", "to_date": "{to}"},
		("source", "campaign", "utm_source", "channel", "from_date", "to_date"),
	),
	"Procurement Lead Time": (
		{"company": "{company}", "from_date": "{from}", "to_date": "{to}"},
		("company", "supplier", "from_date", "to_date", "periodicity"),
	),
	# warranty: claims of the company, by branch / resolution / repeats / cost
	"Warranty Claims by Branch": (
		{"company": "{company}", "from_date": "{from}", "to_date": "{to}"},
		("company", "customer", "from_date", "to_date", "periodicity"),
	),
	"Warranty Time to Resolution": (
		{"company": "{company}", "from_date": "{from}", "to_date": "{to}"},
		("company", "customer", "from_date", "to_date"),
	),
	"Warranty Repeat Claims": (
		{"company": "{company}", "from_date": "{from}", "to_date": "{to}"},
		("company", "customer", "from_date", "to_date", "group_by", "min_claims"),
	),
	"Warranty Cost per Branch": (
		{"company": "{company}", "from_date": "{from}", "to_date": "{to}"},
		("company", "customer", "from_date", "to_date"),
	),
	# production: the workshop's orders, works and materials
	"Work in Progress by Executor": (
		{"company": "{company}"},
		("company", "customer", "funnel", "executor"),
	),
	"Production Orders by Stage and Due Date": (
		{"company": "{company}"},
		("company", "customer", "funnel", "funnel_stage"),
	),
	"Material Consumption vs Plan": (
		{"company": "{company}"},
		("company", "customer", "funnel", "item_code"),
	),
}
# who runs each report (a user who may): the sales reports as a Sales Manager, buying as a buyer,
# warranty as a support agent, production as the workshop foreman
REPORT_PERSONA = {
	"Procurement Lead Time": "buyer",
	"Warranty Claims by Branch": "support",
	"Warranty Time to Resolution": "support",
	"Warranty Repeat Claims": "support",
	"Warranty Cost per Branch": "support",
	"Work in Progress by Executor": "foreman",
	"Production Orders by Stage and Due Date": "foreman",
	"Material Consumption vs Plan": "foreman",
}

DATABASE_ERRORS = ("ProgrammingError", "OperationalError", "InternalError", "DataError", "IntegrityError")


def _outcome(fn) -> tuple[str, object]:
	"""('ok', result) | ('refused', exception class name); a database error or a crash fails."""
	frappe.db.savepoint("injection")
	try:
		with patch("frappe.enqueue"):
			return "ok", fn()
	except (frappe.ValidationError, frappe.PermissionError) as e:  # the host's ordinary refusals
		return "refused", type(e).__name__
	except Exception as e:
		if type(e).__name__ in DATABASE_ERRORS:
			raise AssertionError(f"database error: {e}") from e
		raise AssertionError(f"crash: {type(e).__name__}: {e}") from e
	finally:
		frappe.db.rollback(save_point="injection")
		frappe.local.message_log = []


class TestInjection(MatrixFixtures):
	def _filters(self, report: str) -> dict:
		base, _text = REPORTS[report]
		values = {
			"{funnel}": self.funnel.name,
			"{company}": self.company,
			"{from}": add_days(today(), -60),
			"{to}": today(),
		}
		return {key: values.get(value, value) for key, value in base.items()}

	def test_every_report_of_the_app_is_covered(self):
		reports = set(frappe.get_all("Report", filters={"module": ("like", "Funnel%")}, pluck="name"))
		self.assertEqual(reports - set(REPORTS), set(), "reports without injection tests")

	def test_report_filters_take_sql_as_plain_values(self):
		try:
			for report, (_base, text_filters) in REPORTS.items():
				frappe.set_user(self.users[REPORT_PERSONA.get(report, "sales_manager")])
				self.assertEqual(
					_outcome(lambda: run_report(report, filters=self._filters(report)))[0],
					"ok",
					f"{report} does not run for the user it is for",
				)
				for fieldname in text_filters:
					plain = _outcome(
						lambda: run_report(report, filters={**self._filters(report), fieldname: NOTHING})
					)
					for payload in SQL_PAYLOADS:
						got = _outcome(
							lambda: run_report(report, filters={**self._filters(report), fieldname: payload})
						)
						if got[0] == "refused":
							continue  # refused with a clear message: inert
						self.assertEqual(
							plain[0], "ok", f"{report}.{fieldname}: {payload!r} ran, a plain value did not"
						)
						self.assertEqual(
							got[1]["result"],
							plain[1]["result"],
							f"{report}: filter {fieldname}={payload!r} changed what the report shows",
						)
		finally:
			frappe.set_user("Administrator")

	def test_string_arguments_of_the_api_take_sql_as_plain_values(self):
		failures = []
		for label, (path, _allowed) in MATRIX.items():
			if "@" in label:
				continue
			kwargs = self._arguments(label)
			for argument, value in kwargs.items():
				if not isinstance(value, str):
					continue
				for payload in SQL_PAYLOADS:

					def call(argument=argument, payload=payload, kwargs=kwargs):
						fn = frappe.get_attr(path)
						is_whitelisted(fn)
						return fn(**{**kwargs, argument: payload})

					try:
						_outcome(call)
					except AssertionError as e:  # a database error or a crash
						failures.append(f"{label}({argument}={payload!r}): {str(e)[:200]}")
		self.assertEqual(failures, [], "\n" + "\n".join(failures))
