"""Named stage checks: conditions a card must meet to enter a stage, beyond required fields.

Apps register them in `hooks.py`::

    funnel_stage_checks = {"supplier_vetted": "my_app.checks.supplier_vetted"}

A check is a function `(doc) -> list[str]` returning the reasons it fails, translated and
naming what is wrong (an empty list: it passes). It may set `doctypes` (a tuple of card
doctypes it applies to); a funnel of another document type cannot list it. A Funnel Stage
lists check names in *Stage Checks*; the funnel's save refuses unknown names; the engine
(`funnel_suite.engine.moves`) asks for every check of the target stage and reports all failures
at once together with the missing required fields.
"""

from __future__ import annotations

from collections.abc import Callable

import frappe


def _hooked() -> dict[str, Callable]:
	hooks = frappe.get_hooks("funnel_stage_checks") or {}
	return {name: frappe.get_attr(paths[-1]) for name, paths in hooks.items() if paths}


def registered_checks(doctype: str | None = None) -> dict[str, Callable]:
	"""name → check function, of the checks that apply to `doctype` (all when None)."""
	return {
		name: fn
		for name, fn in _hooked().items()
		if doctype is None or not getattr(fn, "doctypes", None) or doctype in fn.doctypes
	}


def stage_check(*doctypes: str):
	"""Decorator: the card doctypes a check applies to."""

	def mark(fn):
		fn.doctypes = tuple(doctypes)
		return fn

	return mark


def runner_for(doc) -> Callable[[str], list[str]]:
	"""The engine's `checks` argument for a card: evaluates a named check on `doc`."""
	known: dict[str, Callable] = {}

	def run(name: str) -> list[str]:
		if not known:  # looked up on the first check asked for: most stages have none
			known.update(registered_checks(doc.doctype))
		fn = known.get(name)
		if fn is None:
			return [frappe._("check {0} is not available on this site").format(name)]
		return list(fn(doc) or [])

	return run
