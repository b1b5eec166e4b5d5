from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_suite.engine import cadence as c
from funnel_suite.engine import outbound as o
from funnel_suite.engine.cadence import CadenceError, Step, StopFlags

T0 = datetime(2026, 2, 27, 22, 30)


def email(wait=1, unit=c.DAYS):
	return Step(wait, unit, c.EMAIL, email_template="Welcome")


def test_wait_delta_hours_and_days():
	assert c.wait_delta(0, c.HOURS) == timedelta(0)
	assert c.wait_delta(5, c.HOURS) == timedelta(hours=5)
	assert c.wait_delta(2, c.DAYS) == timedelta(days=2)
	with pytest.raises(CadenceError) as err:
		c.wait_delta(-1, c.DAYS)
	assert err.value.code == "negative_wait"
	with pytest.raises(CadenceError):
		c.wait_delta(1, "Weeks")


def test_planned_due_times_are_cumulative_and_cross_month_and_leap_day():
	steps = [email(0, c.HOURS), email(2, c.HOURS), email(1), email(30)]
	due = c.planned_due_times(T0, steps)
	assert due == [
		T0,
		datetime(2026, 2, 28, 0, 30),
		datetime(2026, 3, 1, 0, 30),
		datetime(2026, 3, 31, 0, 30),
	]
	leap = c.planned_due_times(datetime(2028, 2, 28, 12, 0), [email(1), email(1)])
	assert leap == [datetime(2028, 2, 29, 12, 0), datetime(2028, 3, 1, 12, 0)]


@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(c.WAIT_UNITS)), min_size=1, max_size=8))
def test_planned_due_times_never_go_back(waits):
	steps = [Step(v, u, c.EMAIL, email_template="x") for v, u in waits]
	due = c.planned_due_times(T0, steps)
	assert len(due) == len(steps)
	assert all(a <= b for a, b in zip([T0, *due], due, strict=False))
	assert due[-1] - T0 == sum((c.wait_delta(v, u) for v, u in waits), timedelta(0))


def test_late_finish_pushes_the_rest_later_never_earlier():
	planned = datetime(2026, 1, 1, 10)
	rest = [datetime(2026, 1, 2, 10), datetime(2026, 1, 5, 10)]
	late = c.shift_after_finish(planned + timedelta(minutes=35), planned, rest)
	assert late == [r + timedelta(minutes=35) for r in rest]
	assert c.shift_after_finish(planned - timedelta(hours=1), planned, rest) == rest
	assert c.shift_after_finish(planned, planned, rest) == rest


def test_retry_schedule_three_attempts():
	assert c.retry_at(1, T0) == T0 + timedelta(minutes=5)
	assert c.retry_at(2, T0) == T0 + timedelta(minutes=30)
	assert c.retry_at(3, T0) is None
	assert c.retry_at(1, T0, max_attempts=1) is None
	assert c.retry_at(4, T0, max_attempts=6) == T0 + timedelta(minutes=30)
	assert c.retry_at(1, T0, max_attempts=0) == T0 + timedelta(minutes=5)  # 0 = the default
	with pytest.raises(ValueError):
		c.retry_at(0, T0)


@given(st.integers(1, 10), st.integers(1, 20))
def test_retries_stop_at_max_attempts(max_attempts, made):
	result = c.retry_at(made, T0, max_attempts)
	assert (result is None) == (made >= max_attempts)
	if result is not None:
		assert result > T0


@pytest.mark.parametrize(
	"event,flags,reason",
	[
		(c.REPLY, StopFlags(), "Reply received"),
		(c.REPLY, StopFlags(on_reply=False), None),
		(c.WON, StopFlags(), "Card won"),
		(c.LOST, StopFlags(), "Card lost"),
		(c.LOST, StopFlags(on_won_or_lost=False), None),
		(c.STAGE_EXIT, StopFlags(), "Card left the stage"),
		(c.STAGE_EXIT, StopFlags(on_stage_exit=False), None),
		(c.DISABLED, StopFlags(False, False, False), "Cadence disabled"),
	],
)
def test_stop_reason(event, flags, reason):
	assert c.stop_reason(event, flags) == reason


def test_unknown_event_is_refused():
	with pytest.raises(ValueError):
		c.stop_reason("bounced", StopFlags())


def test_stop_skips_only_queued_steps():
	assert c.steps_to_skip([c.SENT, c.FAILED, c.QUEUED, c.QUEUED]) == [2, 3]
	assert c.steps_to_skip([c.SENT, c.SKIPPED]) == []


def test_enrollment_status():
	assert c.enrollment_status([c.SENT, c.QUEUED]) == c.ACTIVE
	assert c.enrollment_status([c.SENT, c.FAILED, c.SKIPPED]) == c.COMPLETED


def test_stage_event():
	assert c.stage_event("Won") == c.WON
	assert c.stage_event("Lost") == c.LOST
	assert c.stage_event("Open") is None


def test_validate_steps_names_row_and_field():
	steps = [
		Step(-1, c.DAYS, c.EMAIL, email_template="T"),
		Step(1, c.HOURS, c.EMAIL),
		Step(1, c.DAYS, c.SMS),
		Step(1, c.DAYS, c.WEBHOOK),
		Step(1, "Weeks", "Fax"),
		Step(9999, c.DAYS, c.TELEGRAM, message="hi"),
	]
	found = [(p.code, p.row, p.field) for p in c.validate_steps(steps)]
	assert found == [
		("negative_wait", 1, "wait_value"),
		("missing", 2, "email_template"),
		("missing", 3, "message"),
		("missing", 4, "webhook"),
		("missing", 4, "body_template"),
		("unknown_unit", 5, "wait_unit"),
		("unknown_channel", 5, "channel"),
		("wait_too_long", 6, "wait_value"),
	]
	assert [p.code for p in c.validate_steps([])] == ["no_steps"]
	assert c.validate_steps([email(), Step(0, c.HOURS, c.WEBHOOK, webhook="W", body_template="{}")]) == []


def test_check_json_body():
	assert c.check_json_body('{"a": 1}') == {"a": 1}
	with pytest.raises(CadenceError) as err:
		c.check_json_body('{"a": }')
	assert err.value.code == "bad_json" and err.value.field == "body_template"


def test_mask_secret():
	text = "HTTPConnectionPool: /bot123:ABC/sendMessage failed"
	assert c.mask_secret(text, "123:ABC", None, "") == "HTTPConnectionPool: /bot***/sendMessage failed"


def test_sample_context_has_every_name():
	ctx = c.sample_context({"title": "X"})
	assert (
		ctx["doc"]["title"] == "X"
		and ctx["doc"]["first_name"] == "sample first_name"
		and {"funnel", "stage", "cadence", "step", "enrollment"} <= set(ctx)
	)


# --- outbound targets (engine.outbound) ------------------------------------------------------------


def resolver(table):
	def resolve(host, port):
		if host not in table:
			raise o.TargetRefused("unresolved", host)
		return table[host]

	return resolve


PUBLIC = resolver({"hooks.example.com": ["93.184.216.34", "2606:2800:220:1::1"]})


@pytest.mark.parametrize(
	"address",
	[
		"127.0.0.1",
		"127.8.9.10",
		"10.1.2.3",
		"172.16.0.1",
		"192.168.0.10",
		"169.254.169.254",
		"100.64.0.1",
		"0.0.0.0",
		"224.0.0.1",
		"239.255.255.250",
		"240.0.0.1",
		"255.255.255.255",
		"::1",
		"::",
		"fe80::1",
		"fe80::1%eth0",
		"fc00::1",
		"fd12:3456::1",
		"fec0::1",
		"ff02::1",
		"::ffff:127.0.0.1",
		"::ffff:169.254.169.254",
		"::ffff:10.0.0.1",
		"2002:7f00:1::1",  # 6to4 of 127.0.0.1
		"64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
		"2001:db8::1",
		"not an address",
	],
)
def test_non_public_addresses_are_refused(address):
	assert o.is_refused_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1", "2a00:1450:4001::1"])
def test_public_addresses_pass(address):
	assert not o.is_refused_address(address)


def test_check_target_checks_every_resolved_address():
	assert o.check_target("https://hooks.example.com/x", PUBLIC) == ["93.184.216.34", "2606:2800:220:1::1"]
	mixed = resolver({"rebind.example.com": ["93.184.216.34", "127.0.0.1"]})
	with pytest.raises(o.TargetRefused) as err:
		o.check_target("https://rebind.example.com/x", mixed)
	assert (err.value.code, err.value.detail) == ("private", "rebind.example.com (127.0.0.1)")
	v6 = resolver({"six.example.com": ["2606:2800:220:1::1", "::ffff:169.254.169.254"]})
	with pytest.raises(o.TargetRefused):
		o.check_target("http://six.example.com/", v6)


@pytest.mark.parametrize(
	"url",
	[
		"http://127.0.0.1:8000/x",
		"http://[::1]/x",
		"http://[::ffff:7f00:1]/x",
		"http://169.254.169.254/latest/meta-data/",
		"https://10.0.0.1/",
	],
)
def test_address_literals_are_checked_without_resolving(url):
	def never(host, port):
		raise AssertionError("an address literal is not resolved")

	with pytest.raises(o.TargetRefused) as err:
		o.check_target(url, never)
	assert err.value.code == "private"


@pytest.mark.parametrize(
	"url, code",
	[
		("ftp://example.com/x", "scheme"),
		("file:///etc/passwd", "scheme"),
		("gopher://127.0.0.1:25/", "scheme"),
		("javascript:alert(1)", "scheme"),
		("", "scheme"),
		("http://", "no_host"),
		("http://user:pw@hooks.example.com/", "credentials"),
		("http://hooks.example.com@127.0.0.1/", "credentials"),
		("http://[::1/", "no_host"),
		("http://hooks.example.com:99999/", "no_host"),
		("http://nowhere.example.com/", "unresolved"),
	],
)
def test_bad_urls_are_refused(url, code):
	with pytest.raises(o.TargetRefused) as err:
		o.check_target(url, PUBLIC)
	assert err.value.code == code


def test_the_allow_list_lets_named_hosts_addresses_and_networks_through():
	internal = resolver({"crm.internal": ["10.1.2.3"], "other.internal": ["10.9.9.9"]})
	allow = o.parse_allow_list("crm.internal\n127.0.0.1, 192.168.5.0/24  # office\n::1")
	assert allow == ["crm.internal", "127.0.0.1", "192.168.5.0/24", "::1"]
	assert o.check_target("http://crm.internal/x", internal, allow) == ["10.1.2.3"]
	assert o.check_target("http://127.0.0.1:8123/x", internal, allow) == ["127.0.0.1"]
	assert o.check_target("http://192.168.5.77/x", internal, allow) == ["192.168.5.77"]
	assert o.check_target("http://[::1]:80/x", internal, allow) == ["::1"]
	assert o.check_target("http://[::ffff:127.0.0.1]/x", internal, allow) == ["::ffff:7f00:1"]
	for url in (
		"http://other.internal/",
		"http://127.0.0.2/",
		"http://192.168.6.1/",
		"http://169.254.169.254/",
	):
		with pytest.raises(o.TargetRefused):
			o.check_target(url, internal, allow)


def test_allow_list_entries_are_checked():
	o.check_allow_list(["crm.internal", "10.0.0.0/8", "::1", "my-host"])
	for bad in ("not a host!", "http://x", "a..b", "-" * 70):
		with pytest.raises(o.TargetRefused) as err:
			o.check_allow_list([bad])
		assert err.value.code == "bad_entry"


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_hidden_in_ipv6_is_never_let_through(value):
	import ipaddress

	v4 = ipaddress.IPv4Address(value)
	if o.is_refused_address(v4):
		for hidden in (f"::ffff:{v4}", f"64:ff9b::{v4}", f"2002:{value >> 16:x}:{value & 0xFFFF:x}::1"):
			assert o.is_refused_address(hidden), hidden
