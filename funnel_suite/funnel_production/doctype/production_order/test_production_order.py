"""Frappe's test runner, not a test: what the runner skips when it makes test records through
Production Order.

Since the construction hand-off, ERPNext's Project links here (`Project.production_order`), so the
runner's walk of test-record dependencies — for ERPNext's own Customer tests too (Customer →
Loyalty Program → Project → Production Order) — reaches this doctype, and from its material rows
would go on to Stock Entry → Asset Repair → Asset → Journal Entry → Payment Order → Payment
Request → Payment Gateway Account → Payment Gateway, a doctype of the payments app that an ERPNext
bench need not have ("DocType Payment Gateway not found"). A Production Order needs no Stock Entry,
Employee or ToDo records to exist; the production tests (funnel_production/test_*.py) make what
they use.
"""

test_ignore = ["Stock Entry", "Employee", "ToDo"]
