# Copyright (c) 2026, funnel_suite developers
# License: MIT. See license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint

MAX_HISTORY_ROWS = 500


class FunnelSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		history_rows: DF.Int
		show_stage_bar: DF.Check
	# end: auto-generated types

	def validate(self):
		if not 1 <= cint(self.history_rows) <= MAX_HISTORY_ROWS:
			frappe.throw(
				_("Move History Rows on Cards must be between 1 and {0}; you entered {1}.").format(
					MAX_HISTORY_ROWS, self.history_rows
				),
				title=_("Invalid Value"),
			)


def get_settings() -> "FunnelSettings":
	return frappe.get_cached_doc("Funnel Settings")
