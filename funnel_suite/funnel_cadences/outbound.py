"""Outbound HTTP calls of the cadences (webhooks, Telegram, the SMS gateway).

Every call goes through `request`: the target must pass `engine.outbound.check_target` (public
addresses only, unless a System Manager allow-listed the host in Cadence Settings), redirects are
never followed (a 3xx is a failure), and a failure carries the status code only, never the body.
"""

from __future__ import annotations

import socket
from http import HTTPStatus

import frappe
from frappe import _

from funnel_suite.engine import outbound as engine

SETTINGS = "Cadence Settings"


class HTTPFailure(Exception):
	"""The target answered with a status other than 2xx (redirects included)."""

	def __init__(self, status: int):
		self.status = status
		super().__init__(f"HTTP {status}")


class TargetNotAllowed(frappe.ValidationError):
	"""The URL's host is (or resolves to) an address the app may not call."""


def allow_list() -> list[str]:
	return engine.parse_allow_list(frappe.db.get_single_value(SETTINGS, "outbound_allow_list"))


def resolve(host: str, port: int) -> list[str]:
	try:
		infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
	except (OSError, UnicodeError):
		raise engine.TargetRefused("unresolved", host) from None
	return sorted({info[4][0] for info in infos})


def _resolve_if_possible(host: str, port: int) -> list[str]:
	try:
		return resolve(host, port)
	except engine.TargetRefused:
		return []


def describe(err: engine.TargetRefused, label: str) -> str:
	label = frappe.bold(label)
	detail = frappe.bold(frappe.utils.escape_html(err.detail))
	if err.code == "scheme":
		return _("{0} must be an http:// or https:// address, not {1}.").format(label, detail)
	if err.code == "credentials":
		return _("{0} may not contain a user name or password; use the auth header instead.").format(label)
	if err.code == "unresolved":
		return _("{0}: the host {1} cannot be resolved.").format(label, detail)
	if err.code == "private":
		return _(
			"{0}: {1} is a private, loopback, link-local or reserved address. Only hosts a System Manager lists in Cadence Settings, Allowed Private Hosts, may be called there."
		).format(label, detail)
	if err.code == "bad_entry":
		return _("{0}: {1} is not a host name, an IP address or a network.").format(label, detail)
	return _("{0} must be an http:// or https:// address, not {1}.").format(label, detail)


def check_url(url: str, label: str, at_save: bool = True, allowed: list[str] | None = None) -> list[str]:
	"""Refuse a target the app may not call (frappe.ValidationError naming the field).
	At save a host that does not resolve yet is accepted; it is checked again at every call.
	`allowed`: the allow-list being saved (default: the stored one)."""
	allowed = allow_list() if allowed is None else allowed
	try:
		return engine.check_target(url, _resolve_if_possible if at_save else resolve, allowed)
	except engine.TargetRefused as err:
		frappe.throw(describe(err, label), TargetNotAllowed, title=_("Address Not Allowed"))


def request(method: str, url: str, label: str, **kwargs):
	"""requests.request after the target check, without redirects; HTTPFailure unless 2xx.

	The address actually connected to is checked again (`_checked_session`): a host name that
	resolves to a public address for the check and to a private one for the connection (DNS
	rebinding) is refused too."""
	allowed = allow_list()
	check_url(url, label, at_save=False, allowed=allowed)
	try:
		with _checked_session(allowed) as session:
			response = session.request(method, url, allow_redirects=False, **kwargs)
	except engine.TargetRefused as err:
		frappe.throw(describe(err, label), TargetNotAllowed, title=_("Address Not Allowed"))
	if not 200 <= response.status_code < 300:
		response.close()
		raise HTTPFailure(response.status_code)
	return response


def _checked_session(allowed: list[str]):
	"""A requests Session whose direct connections refuse a peer address the allow-list does not
	cover (through a proxy, the proxy connects; the target's name was checked before)."""
	import requests
	from requests.adapters import HTTPAdapter
	from urllib3.connection import HTTPConnection, HTTPSConnection
	from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

	class Checked:
		def _new_conn(self):
			sock = super()._new_conn()
			if not self.proxy:
				peer = sock.getpeername()[0]
				if engine.is_refused_address(peer) and not engine.is_allowed(self.host, peer, allowed):
					sock.close()
					raise engine.TargetRefused("private", f"{self.host} ({peer})")
			return sock

	class Adapter(HTTPAdapter):
		def init_poolmanager(self, *args, **kwargs):
			super().init_poolmanager(*args, **kwargs)
			self.poolmanager.pool_classes_by_scheme = {
				"http": type(
					"CheckedPool",
					(HTTPConnectionPool,),
					{"ConnectionCls": type("CheckedConnection", (Checked, HTTPConnection), {})},
				),
				"https": type(
					"CheckedTLSPool",
					(HTTPSConnectionPool,),
					{"ConnectionCls": type("CheckedTLSConnection", (Checked, HTTPSConnection), {})},
				),
			}

	session = requests.Session()
	adapter = Adapter()
	session.mount("http://", adapter)
	session.mount("https://", adapter)
	return session


def status_text(status: int) -> str:
	"""Our own short words for a failed status, never the target's body."""
	if 300 <= status < 400:
		return _("HTTP {0}: the target redirects; redirects are not followed.").format(status)
	try:
		phrase = HTTPStatus(status).phrase
	except ValueError:
		phrase = ""
	return _("HTTP {0}: {1}").format(status, phrase).strip().rstrip(":")
