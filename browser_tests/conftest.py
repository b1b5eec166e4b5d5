"""Fixtures of the browser tests: one headless Chromium for the run, one logged-in page per persona.

Run through browser_tests/run (it starts the server and creates the personas); the environment it
sets: FS_BASE_URL, FS_PERSONAS (the JSON of funnel_suite.tests.personas.setup), FS_PASSWORD,
FS_SCREENSHOTS, FS_CHROMIUM.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

BASE_URL = os.environ.get("FS_BASE_URL", "")
SHOTS = Path(os.environ.get("FS_SCREENSHOTS") or "/tmp")
CHROMIUM_FLAGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]
# Console messages that are not the app's: the realtime (socket.io) connection, which no server
# answers on a test run, and the browser's own line for any failed request (the request itself is
# checked: every /api/ answer the app's screens get is recorded and asserted on).
IGNORED_CONSOLE = re.compile(
	r"socket\.io|WebSocket connection|Failed to load resource|ERR_CONNECTION_REFUSED|ERR_PROXY"
)


def pytest_collection_modifyitems(config, items):
	if not BASE_URL:
		skip = pytest.mark.skip(reason="run through browser_tests/run SITE (no FS_BASE_URL)")
		for item in items:
			item.add_marker(skip)


@pytest.fixture(scope="session")
def site() -> dict:
	return json.loads(Path(os.environ["FS_PERSONAS"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def browser():
	from playwright.sync_api import sync_playwright

	with sync_playwright() as p:
		browser = p.chromium.launch(
			executable_path=os.environ["FS_CHROMIUM"], headless=True, args=CHROMIUM_FLAGS
		)
		yield browser
		browser.close()


class Desk:
	"""A persona's logged-in desk: navigation that waits for the page to settle, and what went
	wrong on the way (console errors, uncaught exceptions, failed API calls, error dialogs)."""

	def __init__(self, browser, persona: str, email: str, lang: str):
		self.persona, self.email, self.lang = persona, email, lang
		self.context = browser.new_context(
			base_url=BASE_URL, viewport={"width": 1400, "height": 1000}, locale="en-US"
		)
		self.context.set_default_timeout(20_000)
		self.page = self.context.new_page()
		self.problems: list[str] = []
		self.expected_refusals = 0
		self.page.on("console", self._console)
		self.page.on("pageerror", lambda exc: self.problems.append(f"uncaught JS error: {exc}"))
		self.page.on("response", self._response)

	def _console(self, msg):
		if msg.type == "error" and not IGNORED_CONSOLE.search(msg.text):
			self.problems.append(f"console error: {msg.text}")

	def _response(self, response):
		url = response.url
		if response.status >= 400 and "/socket.io/" not in url:
			self.problems.append(f"HTTP {response.status} from {url.split('?')[0].replace(BASE_URL, '')}")

	def login(self):
		page = self.page
		page.goto("/login", wait_until="domcontentloaded")
		page.fill("#login_email", self.email)
		page.fill("#login_password", os.environ["FS_PASSWORD"])
		page.click(".page-card-body .btn-login:not(.btn-ldap-login)")
		page.wait_for_url(re.compile(r"/app(/|$)"))
		page.wait_for_function(
			"() => window.frappe && frappe.boot && frappe.router && $('.page-container:visible').length"
		)
		self.settle()
		self.problems.clear()

	def settle(self):
		"""Wait until no request of the desk is pending and nothing is frozen."""
		self.page.wait_for_function(
			"() => window.jQuery && jQuery.active === 0 && !$('.freeze-message-container:visible').length",
			polling=100,
		)
		self.page.wait_for_load_state("networkidle")

	def go(self, route: str, ready: str | None = None):
		"""Route the desk (as a click on a link would) and wait for `ready` (a selector) to show."""
		self.close_dialogs()
		self.page.evaluate("(route) => frappe.set_route(route)", route)
		self.page.wait_for_function(
			"(route) => decodeURIComponent(frappe.router.get_sub_path()) === route", arg=route.strip("/")
		)
		if ready:
			self.here(ready).first.wait_for(state="visible")
		self.settle()

	def here(self, selector: str, **filters):
		"""`selector` on the page shown now (the desk keeps earlier pages in the DOM, hidden)."""
		return self.page.locator(f".page-container:visible {selector}", **filters)

	def error_dialogs(self) -> list[str]:
		return self.page.evaluate(
			"""() => $('.modal.show:visible').toArray()
				.filter((m) => m.classList.contains('msgprint-dialog') || $(m).find('.indicator.red').length)
				.map((m) => m.innerText.replace(/\\s+/g, ' ').trim())"""
		)

	def shot(self, name: str):
		path = SHOTS / f"{self.persona}--{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-')}.png"
		self.page.screenshot(path=str(path), full_page=False)
		return path

	def close_dialogs(self):
		# a dialog still fading in ignores a hide: ask again until none is open
		self.page.wait_for_function(
			"() => { const open = $('.modal.show'); open.modal('hide'); return !open.length; }", polling=200
		)
		self.page.wait_for_function("() => !$('.modal-backdrop').length && !$('body.modal-open').length")

	def take_problems(self) -> list[str]:
		problems = [*self.problems, *(f"error dialog: {d}" for d in self.error_dialogs())]
		self.problems.clear()
		return problems


@pytest.fixture(scope="session")
def _opened_desks(browser, site):
	opened: dict[str, Desk] = {}
	yield opened
	for desk in opened.values():
		desk.context.close()


@pytest.fixture
def desks(_opened_desks, site, browser, request):
	"""persona key -> logged-in Desk (created on first use, one browser context each, kept for the run)."""
	opened = _opened_desks

	def get(persona: str) -> Desk:
		if persona not in opened:
			info = site["personas"][persona]
			desk = Desk(browser, persona, info["email"], info["lang"])
			desk.login()
			opened[persona] = desk
		request.node._desk = opened[persona]
		opened[persona].take_problems()  # what an earlier test left behind is reported there
		return opened[persona]

	return get


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	outcome = yield
	report = outcome.get_result()
	if report.when == "call" and report.failed and "desks" in item.funcargs:
		desk = getattr(item, "_desk", None)
		if desk is not None:
			try:
				path = desk.shot(f"FAILED-{item.name}")
				report.sections.append(("screenshot", str(path)))
				report.sections.append(("problems seen", "\n".join(desk.take_problems())))
			except Exception:  # the page may be gone; the failure itself is what matters
				pass
