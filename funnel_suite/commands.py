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


@click.command("funnel-suite-rebuild-analytics")
@click.option("--funnel", help="Rebuild only this funnel (default: every funnel)")
@pass_context
def funnel_suite_rebuild_analytics(context, funnel=None):
	"""Recompute the funnel analytics (Funnel Summary, Funnel Card State, Funnel Velocity Bucket)
	from the move log and the cards, in one transaction."""
	import time

	import frappe

	from funnel_suite.funnel_analytics.summary import rebuild
	from funnel_suite.funnel_analytics.velocity_buckets import rebuild_velocity

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		frappe.set_user("Administrator")
		started = time.perf_counter()
		counts = rebuild(funnel)
		counts["velocity_rows"] = rebuild_velocity(funnel)
		frappe.db.commit()
		click.echo(
			"funnel_suite analytics rebuilt in {:.1f} s: {} summary rows, {} card states, {} velocity "
			"histogram rows ({} log rows got their card's dimensions)".format(
				time.perf_counter() - started,
				counts["summary_rows"],
				counts["card_states"],
				counts["velocity_rows"],
				counts["log_rows_backfilled"],
			)
		)
	finally:
		frappe.destroy()


commands = [funnel_suite_demo, funnel_suite_rebuild_analytics]
