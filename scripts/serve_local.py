"""Frappe's development web server, bound to 127.0.0.1 only.

`bench serve` listens on every interface (Frappe 15 hard-codes 0.0.0.0); this runs the same
application, statics included, on the loopback address. Run it with the bench's Python from the
bench's `sites` directory:

    ../env/bin/python /path/to/funnel_suite/scripts/serve_local.py --port 8000 [--site demo.localhost]
"""

import argparse
import os
import sys


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--port", type=int, default=8000)
	parser.add_argument("--site", default=None, help="serve this site whatever the Host header says")
	parser.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
	args = parser.parse_args()
	if not (args.host.startswith("127.") or args.host in ("localhost", "::1")):
		sys.exit("serve_local.py binds loopback addresses only")

	import werkzeug.serving

	run_simple = werkzeug.serving.run_simple

	def run_on_loopback(_hostname, port, application, **kwargs):
		return run_simple(args.host, port, application, **kwargs)

	werkzeug.serving.run_simple = run_on_loopback
	os.environ.setdefault("CI", "1")  # no reloader, no interactive debugger

	import frappe.app

	frappe.app.serve(port=args.port, no_reload=True, site=args.site, sites_path=".")


if __name__ == "__main__":
	main()
