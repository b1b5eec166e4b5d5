"""A card deleted by someone who may delete it takes what belongs to it alone along.

The host's delete (`frappe.delete_doc`: the form's Delete, list bulk delete, REST DELETE) checks
the user's delete permission first, then runs `on_trash`, then refuses when other records still
link to the document. This `on_trash` hook, in the delete's own transaction, removes the rows the
app keeps for the card and nothing a person entered elsewhere:

- its move log (Funnel Transition) — after every `funnel_on_card_delete` hook has seen it, so
  the analytics take the card's counts out of the summaries (a deleted duplicate or spam record
  must not count in conversion);
- the open or closed smart-task ToDos the app made for it (the host removes the rest after the
  commit);
- the lineage of cards handed off from it: their link to the deleted card is cleared and a note
  on their timeline keeps where they came from, as text;
- whatever the other domains register in `funnel_on_card_delete` (current-stage row, cadence
  enrollments, refusal reviews of the deal, links from planned contacts).

A user without delete permission never gets here (the host refuses before `on_trash`); if
anything later in the delete fails, the whole transaction is rolled back with it. The app itself
never deletes a card: disqualifying archives, a loss is a move.
"""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html

from funnel_suite.funnel_analytics.summary import LOG_FIELDS
from funnel_suite.funnels.card import card_doctypes, is_card_doctype


def card_log(doctype: str, name: str) -> list[dict]:
	"""The card's move log in order (the rows the deletion removes)."""
	return frappe.get_all(
		"Funnel Transition",
		filters={"reference_doctype": doctype, "reference_name": name},
		fields=list(LOG_FIELDS),
		order_by="name asc",
	)


def on_card_trash(doc, method=None) -> None:
	"""doc_events on_trash of every card doctype (see the module docstring)."""
	if not is_card_doctype(doc.doctype):
		return
	log = card_log(doc.doctype, doc.name)
	for hook in frappe.get_hooks("funnel_on_card_delete"):
		frappe.get_attr(hook)(doc, log)
	# The move log refuses deletion through the document path to everyone, System Manager
	# included (FunnelTransition.on_trash). This is the one path that removes rows: the host has
	# just checked that the user may delete the card itself, and the rows are the card's own
	# history, meaningless without it. A plain DELETE by the (indexed) reference keeps it to one
	# statement however long the history.
	frappe.db.delete("Funnel Transition", {"reference_doctype": doc.doctype, "reference_name": doc.name})
	# Smart tasks carry funnel_stage; ToDos people made by hand are left to the host, which
	# removes every ToDo of a deleted document after the commit.
	frappe.db.delete(
		"ToDo",
		{"reference_type": doc.doctype, "reference_name": doc.name, "funnel_stage": ("is", "set")},
	)
	release_handed_off_cards(doc)


def release_handed_off_cards(doc) -> None:
	"""Cards opened by a hand-off from the deleted card (an upsell, a qualified lead's deal) keep
	their own history; their link back is cleared (a Dynamic Link to a deleted record would block
	the delete and then point nowhere) and their timeline says, as text, where they came from."""
	user = frappe.utils.get_fullname(frappe.session.user)
	for doctype in card_doctypes():
		if not frappe.get_meta(doctype).has_field("funnel_source_name"):
			continue
		children = frappe.get_all(
			doctype,
			filters={"funnel_source_doctype": doc.doctype, "funnel_source_name": doc.name},
			pluck="name",
		)
		for child in children:
			frappe.db.set_value(
				doctype,
				child,
				{"funnel_source_doctype": None, "funnel_source_name": None},
				update_modified=False,
			)
			# an app note on another card the user may not be able to open: the deleting user
			# was allowed to delete its source, the note only records that
			frappe.get_doc(
				{
					"doctype": "Comment",
					"comment_type": "Info",
					"reference_doctype": doctype,
					"reference_name": child,
					"content": _("Handed off from {0} {1}, which {2} deleted.").format(
						_(doc.doctype), escape_html(doc.name), escape_html(user)
					),
				}
			).insert(ignore_permissions=True)
