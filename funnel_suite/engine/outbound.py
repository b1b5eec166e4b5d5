"""Which addresses the app may call (webhooks, Telegram, SMS gateway). Pure Python, no Frappe.

A target is an http:// or https:// URL without user:password. Its host name is resolved and
EVERY address it resolves to must be public: loopback, private, link-local (169.254.169.254,
fe80::), shared (100.64/10), multicast, reserved and unspecified addresses are refused, also
when they hide inside an IPv6 address (IPv4-mapped ::ffff:a.b.c.d, 6to4, Teredo, NAT64).
A System Manager may allow-list host names, addresses or networks; an allow-listed target may
then be private.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TargetRefused(ValueError):
	"""code: scheme | no_host | credentials | private | unresolved | bad_entry; detail names it."""

	def __init__(self, code: str, detail: str = ""):
		self.code, self.detail = code, detail
		super().__init__(f"{code}: {detail}" if detail else code)


def split_target(url: str) -> tuple[str, str, int]:
	"""(scheme, host, port) of an outbound URL, or TargetRefused."""
	try:
		parts = urlsplit((url or "").strip())
		port = parts.port
	except ValueError:
		raise TargetRefused("no_host", url or "") from None
	scheme = parts.scheme.lower()
	if scheme not in SCHEMES:
		raise TargetRefused("scheme", scheme or url or "")
	if parts.username is not None or parts.password is not None:
		raise TargetRefused("credentials")
	host = (parts.hostname or "").strip().rstrip(".").lower()
	if not host:
		raise TargetRefused("no_host", url or "")
	return scheme, host, port or (443 if scheme == "https" else 80)


def _ip(address: str) -> Address | None:
	try:
		return ipaddress.ip_address(str(address).split("%", 1)[0])
	except ValueError:
		return None


def embedded(ip: Address) -> list[Address]:
	"""The address and every IPv4 address carried inside it."""
	found: list[Address] = [ip]
	if ip.version == 6:
		if ip.ipv4_mapped:
			found.append(ip.ipv4_mapped)
		if ip.sixtofour:
			found.append(ip.sixtofour)
		if ip.teredo:
			found.extend(ip.teredo)
		if ip in NAT64:
			found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
	return found


def is_refused_address(address: str | Address) -> bool:
	"""True for anything but a public unicast address (unparseable text counts as refused)."""
	ip = address if isinstance(address, ipaddress.IPv4Address | ipaddress.IPv6Address) else _ip(address)
	if ip is None:
		return True
	for one in embedded(ip):
		if (
			one.is_private
			or one.is_loopback
			or one.is_link_local
			or one.is_multicast
			or one.is_reserved
			or one.is_unspecified
			or not one.is_global
			or (one.version == 6 and one.is_site_local)
		):
			return True
	return False


def parse_allow_list(text: str | None) -> list[str]:
	"""Entries of the allow-list field: one a line (commas and spaces also separate), lower-cased;
	`#` starts a comment."""
	entries = []
	for line in (text or "").splitlines():
		line = line.split("#", 1)[0]
		for entry in line.replace(",", " ").split():
			entries.append(entry.strip().rstrip(".").lower())
	return [e for e in entries if e]


def check_allow_list(entries: Iterable[str]) -> None:
	"""TargetRefused("bad_entry") for an entry that is neither a host name nor an address/network."""
	for entry in entries:
		if _network(entry) is not None:
			continue
		labels = entry.split(".")
		if not all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in labels):
			raise TargetRefused("bad_entry", entry)


def _network(entry: str) -> Network | None:
	try:
		return ipaddress.ip_network(entry.strip("[]"), strict=False)
	except ValueError:
		return None


def is_allowed(host: str, address: str | None, entries: Sequence[str]) -> bool:
	"""An allow-list entry names the host, or is an address/network that holds the address."""
	host = host.strip("[]").lower()
	if host in entries:
		return True
	ip = _ip(address) if address else _ip(host)
	if ip is None:
		return False
	for entry in entries:
		network = _network(entry)
		if network is not None and any(
			one in network for one in embedded(ip) if one.version == network.version
		):
			return True
	return False


def check_target(
	url: str,
	resolve: Callable[[str, int], Sequence[str]],
	allow_list: Sequence[str] = (),
) -> list[str]:
	"""The addresses `url` may be called at, or TargetRefused.

	`resolve(host, port)` returns every address of the host (IPv4 and IPv6), raises
	TargetRefused("unresolved") or returns [] when it has none; an address literal is not resolved.
	"""
	_scheme, host, port = split_target(url)
	literal = _ip(host.strip("[]"))
	addresses = [str(literal)] if literal is not None else list(resolve(host, port))
	for address in addresses:
		if is_refused_address(address) and not is_allowed(host, address, allow_list):
			raise TargetRefused("private", f"{host} ({address})" if address != host else host)
	return addresses
