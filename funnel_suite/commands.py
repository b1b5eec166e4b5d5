"""bench commands of the app."""

import click
from frappe.commands import get_site, pass_context


@click.command("funnel-suite-demo")
@pass_context
def funnel_suite_demo(context):
	"""Load the demo funnels, leads and deals (fixtures/demo.json) into the site."""
	import frappe

	from funnel_suite.demo import load_demo

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		created = load_demo()
		frappe.db.commit()
		click.echo(
			f"funnel_suite demo: {len(created['leads'])} leads and {len(created['opportunities'])} deals created"
		)
	finally:
		frappe.destroy()


commands = [funnel_suite_demo]
