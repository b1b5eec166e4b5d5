"""Refusal reviews: a reviewer's verdict on a lost deal and the deal's activity
(funnel_sales/refusals.py)."""

from __future__ import annotations

import frappe

from funnel_suite.funnel_sales import refusals


@frappe.whitelist(methods=["POST"])
def review_refusal(
	review: str,
	verdict: str,
	note: str | None = None,
	return_stage: str | None = None,
	corrected_reason: str | None = None,
) -> dict:
	"""A reviewer's verdict on a lost deal: Verified (reason confirmed or corrected) or Returned
	(back to `return_stage`, an open stage of its funnel, with a coaching note for the owner)."""
	return refusals.give_verdict(review, verdict, note, return_stage, corrected_reason)


@frappe.whitelist()
def get_refusal_activity(review: str) -> dict:
	"""The lost deal's calls, emails, comments and moves, for the review screen."""
	return refusals.deal_activity(review)
