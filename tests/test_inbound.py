"""Inbound channels (issue 16), the pure parts: channels, Telegram chat ids as intake keys, and the
Telegram Update the bot's webhook accepts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from funnel_suite.engine.intake import (
	CHANNEL_API,
	CHANNEL_EMAIL,
	CHANNEL_TELEGRAM,
	KEY_EMAIL,
	KEY_EXTERNAL_ID,
	KEY_TELEGRAM,
	Inquiry,
	Match,
	MissingContactData,
	clean_name,
	decide,
	normalize_channel,
	normalize_telegram_chat_id,
	validate_inquiry,
)
from funnel_suite.engine.telegram import (
	MAX_BODY_BYTES,
	InvalidUpdate,
	is_valid_secret,
	parse_update,
	secret_matches,
)

# -- channels -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"value, expected",
	[
		(None, CHANNEL_API),
		("   ", CHANNEL_API),
		("e-mail", CHANNEL_EMAIL),
		("  TELEGRAM ", CHANNEL_TELEGRAM),
		("Facebook  Lead Ads", "Facebook Lead Ads"),
		("x" * 300, "x" * 140),
	],
)
def test_normalize_channel(value, expected):
	assert normalize_channel(value) == expected


def test_normalize_channel_default_is_the_callers():
	assert normalize_channel(None, CHANNEL_EMAIL) == CHANNEL_EMAIL


# -- Telegram chat ids as keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"value, expected",
	[
		(123, "123"),
		(" 0042 ", "42"),
		(-1001234, "-1001234"),
		("12345678901234567890", "12345678901234567890"),
	],
)
def test_normalize_telegram_chat_id(value, expected):
	assert normalize_telegram_chat_id(value) == expected


@pytest.mark.parametrize(
	"value", [None, "", "  ", True, "12a", "1 2", "--1", "-", "+5", "1.5", "١٢٣", "1" * 21, "1; drop table"]
)
def test_normalize_telegram_chat_id_refuses(value):
	assert normalize_telegram_chat_id(value) is None


def test_a_chat_id_alone_is_an_inquiry_and_a_key_after_the_external_id():
	norm = validate_inquiry(Inquiry(telegram_chat_id=" 777 "))
	assert norm.keys() == [(KEY_TELEGRAM, "777")]
	norm = validate_inquiry(Inquiry(external_id="x-1", telegram_chat_id="777", email="a@b.example"))
	assert norm.keys() == [(KEY_EXTERNAL_ID, "x-1"), (KEY_TELEGRAM, "777"), (KEY_EMAIL, "a@b.example")]


def test_a_chat_id_that_is_not_one_is_no_contact_data():
	with pytest.raises(MissingContactData):
		validate_inquiry(Inquiry(telegram_chat_id="not a chat"))


def test_decide_telegram_beats_email():
	decision = decide(
		[
			Match("Lead", "L-EMAIL", KEY_EMAIL),
			Match("Contact", "C-TG", KEY_TELEGRAM, customer="CUST-1"),
		]
	)
	assert (decision.doctype, decision.name, decision.matched_by) == ("Customer", "CUST-1", KEY_TELEGRAM)


# -- the Telegram Update ------------------------------------------------------------------------------------


def update(**message) -> dict:
	base = {
		"message_id": 5,
		"date": 1,
		"chat": {"id": 42, "type": "private", "first_name": "Olha"},
		"from": {"id": 42, "is_bot": False, "first_name": "Olha", "last_name": "Bilyk", "username": "olha"},
		"text": "Hi",
	}
	base.update(message)
	return {"update_id": 9, "message": base}


def body(value) -> bytes:
	return json.dumps(value).encode()


def test_parse_a_private_message():
	msg = parse_update(body(update(text="  Need a quote\n for 3 rooms \x07")))
	assert (msg.chat_id, msg.message_id, msg.sender_name, msg.text) == (
		"42",
		5,
		"Olha Bilyk",
		"Need a quote\n for 3 rooms",
	)
	assert msg.message_key == "telegram:42:5"


def test_parse_a_caption_and_a_username_only_sender():
	msg = parse_update(body(update(text=None, caption="photo", **{"from": {"id": 42, "username": "olha"}})))
	assert msg.text is None  # "text" present but not a string
	raw = update(
		caption="photo", **{"from": {"id": 42, "username": "olha"}}, chat={"id": 42, "type": "private"}
	)
	del raw["message"]["text"]
	msg = parse_update(body(raw))
	assert (msg.text, msg.sender_name) == ("photo", "@olha")


def test_the_sender_name_loses_angle_brackets():
	msg = parse_update(body(update(**{"from": {"first_name": "<b>Olha</b>", "last_name": ">"}})))
	assert msg.sender_name == "b Olha /b"


def test_long_values_are_cut():
	msg = parse_update(body(update(text="x" * 5000, **{"from": {"first_name": "y" * 500}})))
	assert (len(msg.text), len(msg.first_name)) == (4096, 140)


@pytest.mark.parametrize(
	"raw",
	[
		{"update_id": 1, "edited_message": {"message_id": 1}},
		{"update_id": 1, "my_chat_member": {}},
		update(chat={"id": -100, "type": "group"}),
		update(chat={"id": 42, "type": "channel"}),
		update(**{"from": {"id": 1, "is_bot": True}}),
	],
)
def test_updates_not_taken_in(raw):
	assert parse_update(body(raw)) is None


@pytest.mark.parametrize(
	"raw",
	[
		b"",
		None,
		b"not json",
		b"[1]",
		b"\xff\xfe",
		body({"message": {}}),
		body({"update_id": "9", "message": {}}),
		body({"update_id": True}),
		body({"update_id": 1, "message": "hi"}),
		body({"update_id": 1, "message": {"message_id": 1}}),
		body({"update_id": 1, "message": {"message_id": 1, "chat": {"id": "42", "type": "private"}}}),
		body({"update_id": 1, "message": {"message_id": 1, "chat": {"id": 10**30, "type": "private"}}}),
		b"{" + b" " * MAX_BODY_BYTES + b"}",
	],
)
def test_invalid_bodies(raw):
	with pytest.raises(InvalidUpdate):
		parse_update(raw)


@given(st.binary(max_size=200))
def test_parse_update_never_crashes_otherwise(raw):
	try:
		parse_update(raw)
	except InvalidUpdate:
		pass


def test_secret_matches_only_the_exact_secret():
	assert secret_matches("abc-DEF_1", "abc-DEF_1")
	for given_value, secret in (
		("abc", "abcd"),
		("", "abc"),
		(None, "abc"),
		("abc", None),
		("abc", ""),
		("", ""),
	):
		assert not secret_matches(given_value, secret)


@pytest.mark.parametrize(
	"value, ok", [("a" * 256, True), ("a" * 257, False), ("", False), ("ab cd", False), ("é", False)]
)
def test_secret_format(value, ok):
	assert is_valid_secret(value) is ok


@pytest.mark.parametrize(
	"value, expected",
	[("<img src=x>Ivan", "img src=x Ivan"), ("  a < b  ", "a b"), ("<>", None), (None, None)],
)
def test_names_lose_the_brackets_the_host_refuses_in_names(value, expected):
	assert clean_name(value) == expected
	norm = validate_inquiry(Inquiry(person_name=value, company_name=value, email="x@y.example"))
	assert (norm.person_name, norm.company_name) == (expected, expected)
