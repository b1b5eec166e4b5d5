# Copyright (c) 2026, funnel_suite developers and contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class RepeatSaleDigest(Document):
	"""One day's digest of an account owner under a repeat-sale rule with the digest option: the
	customers listed in one Event and one ToDo (written by the daily job only, inside
	funnel_suite.funnels.owned.app_writes(); its owner is the account owner, a Sales User reads
	their own)."""


def on_doctype_update():
	frappe.db.add_index("Repeat Sale Digest", ["rule", "account_owner", "digest_date"])
