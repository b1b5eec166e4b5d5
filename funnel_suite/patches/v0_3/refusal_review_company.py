"""Refusal reviews carry their deal's company and customer (user permissions apply to them):
fill both for the reviews that exist (safe to run twice). Only link names are copied between
the app's and the host's tables, no text a user typed."""

import frappe


def execute():
	frappe.db.sql(
		"""update `tabRefusal Review` r join `tabOpportunity` o on o.name = r.opportunity
		set r.company = o.company
		where ifnull(r.company, '') = ''"""
	)
	# the deal's party when it is a customer, else the customer made from its lead
	frappe.db.sql(
		"""update `tabRefusal Review` r join `tabOpportunity` o on o.name = r.opportunity
		join `tabCustomer` c on c.name = o.party_name
		set r.customer = c.name
		where ifnull(r.customer, '') = '' and o.opportunity_from = 'Customer'"""
	)
	frappe.db.sql(
		"""update `tabRefusal Review` r join `tabOpportunity` o on o.name = r.opportunity
		join `tabCustomer` c on c.lead_name = o.party_name
		set r.customer = c.name
		where ifnull(r.customer, '') = '' and o.opportunity_from = 'Lead'"""
	)
