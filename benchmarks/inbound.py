"""Benchmark: incoming e-mail through the intake against the host's own handling, in one run.

For an Email Account appending to Lead, the same kind of raw messages go through the host's
InboundMail.process() (the app's FunnelInboundMail), once with Funnel Settings' "Match Incoming
E-mail with the Intake" off (the host's way: match by sender and subject, else a new Lead) and once
on (the intake's key lookup, a Lead in the funnel's entry stage, its note):
  - new senders (both create a Lead), and
  - senders who are known Leads writing a new subject (the host creates another Lead; the intake
    finds the Lead).
Prints the median ms per message and the ratio intake / host. Everything is rolled back at the end.

Run on a bench site (see benchmarks/run):  benchmarks/run --inbound [site] [--messages 30]
"""

from __future__ import annotations

import argparse
import email.utils
import sys
from email.message import EmailMessage

from common import connect, timed


def raw(sender: str, subject: str) -> bytes:
	mail = EmailMessage()
	mail["From"] = email.utils.formataddr(("Bench Sender", sender))
	mail["To"] = "bench-inbox@bench.example"
	mail["Subject"] = subject
	mail["Date"] = email.utils.formatdate(localtime=True)
	mail["Message-ID"] = f"<{email.utils.make_msgid().strip('<>')}>"
	mail.set_content("Hello, we would like an offer.")
	return mail.as_bytes()


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__)
	parser.add_argument("--site", required=True)
	parser.add_argument("--sites-path", default=".")
	parser.add_argument("--messages", type=int, default=30)
	args = parser.parse_args()

	frappe = connect(args.site, args.sites_path)
	from frappe.email.receive import InboundMail

	from funnel_suite.api import intake
	from funnel_suite.funnel_qualification.inbound_mail import funnel_mail

	try:
		account = frappe.get_doc(
			{
				"doctype": "Email Account",
				"email_account_name": "Bench Inbound " + frappe.generate_hash(length=6),
				"email_id": "bench-inbox@bench.example",
				"append_to": "Lead",
			}
		).insert(ignore_permissions=True)
		known = [
			intake(
				person_name=f"Known {i}", email=f"known{i}-{frappe.generate_hash(length=6)}@bench.example"
			)["name"]
			for i in range(2 * args.messages + 2)
		]
		known_emails = iter(frappe.db.get_value("Lead", name, "email_id") for name in known)
		counter = {"n": 0}

		def new_sender():
			counter["n"] += 1
			address = f"new{counter['n']}-{frappe.generate_hash(length=6)}@bench.example"
			funnel_mail(InboundMail(raw(address, "A new question"), account)).process()

		def known_sender():
			funnel_mail(InboundMail(raw(next(known_emails), f"Subject {counter['n']}"), account)).process()
			counter["n"] += 1

		results = {}
		for mode, enabled in (("host", 0), ("intake", 1)):
			frappe.db.set_single_value("Funnel Settings", "email_intake_enabled", enabled)
			results[("new", mode)] = timed(new_sender, args.messages, warm_up=True)
			results[("known", mode)] = timed(known_sender, args.messages, warm_up=True)
	finally:
		frappe.db.rollback()
		frappe.destroy()

	print(f"messages per case: {args.messages}")
	for case, label in (("new", "new sender"), ("known", "known Lead, new subject")):
		host, ours = results[(case, "host")], results[(case, "intake")]
		print(f"{label:26} host {host:7.1f} ms   intake {ours:7.1f} ms   ratio {ours / host:4.2f}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
