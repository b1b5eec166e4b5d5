from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from funnel_suite.engine.intake import (
	KEY_EMAIL,
	KEY_EXTERNAL_ID,
	KEY_PHONE,
	Decision,
	Inquiry,
	IntakeError,
	InvalidEmail,
	InvalidPhone,
	Match,
	MissingContactData,
	MissingEmailOrPhone,
	NormalizedInquiry,
	PhoneKey,
	TooLong,
	decide,
	normalize_email,
	normalize_phone,
	validate_inquiry,
	validate_public_inquiry,
)

# -- normalize_email ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("olga@example.com", "olga@example.com"),
		("Olga.Petrova@Example.COM", "olga.petrova@example.com"),
		("  olga@example.com \t", "olga@example.com"),
		("Olga <olga@x.com>", "olga@x.com"),
		('"Olga Petrova" <Olga@X.com>', "olga@x.com"),
		("<olga@x.com>", "olga@x.com"),
		("Olga < olga@x.com >", "olga@x.com"),
		("first.last+tag@mail.example.co.uk", "first.last+tag@mail.example.co.uk"),
	],
)
def test_normalize_email_accepts(value, expected):
	assert normalize_email(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_normalize_email_empty_is_none(value):
	assert normalize_email(value) is None


@pytest.mark.parametrize(
	"value",
	[
		"olga",  # no @
		"olga.example.com",  # no @
		"olga@@example.com",  # two @
		"ol@ga@example.com",  # two @
		"@example.com",  # empty local part
		"olga@",  # empty domain
		"olga@localhost",  # domain without a dot
		"olga@exa mple.com",  # space in the domain
		"ol ga@example.com",  # space in the local part
		"olga@example..com",  # consecutive dots in the domain
		"ol..ga@example.com",  # consecutive dots in the local part
		"olga@.example.com",  # domain starts with a dot
		"olga@example.com.",  # domain ends with a dot
		".olga@example.com",  # local part starts with a dot
		"olga.@example.com",  # local part ends with a dot
		"olga@-example.com",  # label starts with a hyphen
		"a" * 245 + "@example.com",  # 257 characters
		"Olga <olga@x.com",  # unclosed display form
		"Olga olga@x.com>",  # stray bracket
		"Olga <olga@x.com> extra",  # text after the address
		"Olga <>",  # empty address in brackets
		"<a@x.com> <b@x.com>",  # two addresses
		"olga@x.com, ivan@x.com",  # a list
	],
)
def test_normalize_email_rejects(value):
	with pytest.raises(InvalidEmail) as caught:
		normalize_email(value)
	assert caught.value.value == value
	assert isinstance(caught.value, ValueError)
	assert isinstance(caught.value, IntakeError)
	assert caught.value.code == "invalid_email"


def test_normalize_email_length_limit():
	local = "a" * 64
	domain = ".".join(["b" * 60] * 3) + ".cc"  # 186 characters
	longest = local + "@" + domain
	padded = local + "@" + "d" * (254 - len(longest)) + domain
	assert len(padded) == 254
	assert normalize_email(padded) == padded
	with pytest.raises(InvalidEmail):
		normalize_email("x" + padded)


# -- normalize_phone ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("value", "region", "expected"),
	[
		("+380 67 123 4567", "UA", "+380671234567"),
		("+380 67 123 4567", None, "+380671234567"),
		("067 123 45 67", "UA", "+380671234567"),
		("0671234567", "UA", "+380671234567"),
		("(067) 123-45-67", "ua", "+380671234567"),
		("8 (916) 123-45-67", "RU", "+79161234567"),
		("+7 916 123-45-67", "RU", "+79161234567"),
		("(415) 555-2671", "US", "+14155552671"),
		("415.555.2671", "US", "+14155552671"),
		("+1 415 555 2671", "UA", "+14155552671"),  # international numbers ignore the region
		("+44 20 7946 0958", "US", "+442079460958"),
	],
)
def test_normalize_phone_e164(value, region, expected):
	key = normalize_phone(value, region)
	assert key == PhoneKey(e164=expected, raw=value.strip(), valid=True)


@pytest.mark.parametrize(
	("value", "region"),
	[
		("not a phone", "UA"),
		("abc", "US"),
		("12", "US"),  # not possible
		("067 123 45 67", None),  # national number without a region
		("+999 123", None),  # unknown country code
		("1" * 30, "US"),  # too long
		("067 123 45 67", "XX"),  # unknown region
	],
)
def test_normalize_phone_unusable(value, region):
	assert normalize_phone(f"  {value} ", region) == PhoneKey(e164=None, raw=value, valid=False)


def test_normalize_phone_possible_but_not_valid_keeps_e164():
	key = normalize_phone("+1 200 555 0100", None)
	assert key == PhoneKey(e164="+12005550100", raw="+1 200 555 0100", valid=False)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_normalize_phone_empty_is_none(value):
	assert normalize_phone(value, "UA") is None
	assert normalize_phone(value, None) is None


# -- validate_inquiry ---------------------------------------------------------------------------------------


def test_validate_inquiry_normalizes_everything():
	inq = Inquiry(
		person_name="  Olga   Petrova ",
		company_name=" Acme ",
		email=" Olga <OLGA@Acme.com> ",
		phone="067 123 45 67",
		external_id=" tg:42 ",
		source="Website",
	)
	result = validate_inquiry(inq, "UA")
	assert result == NormalizedInquiry(
		inquiry=inq,
		email="olga@acme.com",
		phone=PhoneKey("+380671234567", "067 123 45 67", True),
		person_name="Olga Petrova",
		company_name="Acme",
		external_id="tg:42",
		phone_flagged=False,
	)
	assert result.keys() == [
		(KEY_EXTERNAL_ID, "tg:42"),
		(KEY_EMAIL, "olga@acme.com"),
		(KEY_PHONE, "+380671234567"),
	]


def test_validate_inquiry_keys_only_present_ones():
	assert validate_inquiry(Inquiry(email="a@b.co")).keys() == [("email", "a@b.co")]
	assert validate_inquiry(Inquiry(phone="+380671234567")).keys() == [("phone", "+380671234567")]
	assert validate_inquiry(Inquiry(person_name="Olga", external_id="  ")).keys() == []


def test_validate_inquiry_name_only_is_enough():
	result = validate_inquiry(Inquiry(company_name="Acme"), "UA")
	assert result.company_name == "Acme"
	assert result.person_name is None
	assert result.email is None
	assert result.phone is None
	assert result.keys() == []


@pytest.mark.parametrize(
	"inq",
	[
		Inquiry(),
		Inquiry(person_name="  ", company_name="", email=" ", phone="\t"),
		Inquiry(external_id="tg:42", text="hello", source="Website"),
	],
)
def test_validate_inquiry_missing_contact_data(inq):
	with pytest.raises(MissingContactData) as caught:
		validate_inquiry(inq, "UA")
	message = str(caught.value)
	for word in ("email", "phone", "name"):
		assert word in message
	assert caught.value.missing == ("email", "phone", "person_name", "company_name")
	assert caught.value.code == "missing_contact_data"


def test_validate_inquiry_invalid_email_even_with_phone():
	with pytest.raises(InvalidEmail) as caught:
		validate_inquiry(Inquiry(email="olga@localhost", phone="+380671234567"), "UA")
	assert caught.value.value == "olga@localhost"


def test_validate_inquiry_unparseable_phone_with_email_is_flagged():
	result = validate_inquiry(Inquiry(email="olga@x.com", phone=" call me maybe "), "UA")
	assert result.phone == PhoneKey(None, "call me maybe", False)
	assert result.phone_flagged is True
	assert result.keys() == [("email", "olga@x.com")]


def test_validate_inquiry_unparseable_phone_without_email_raises():
	with pytest.raises(InvalidPhone) as caught:
		validate_inquiry(Inquiry(person_name="Olga", phone="12"), "UA")
	assert caught.value.value == "12"
	assert caught.value.code == "invalid_phone"
	with pytest.raises(InvalidPhone):
		validate_inquiry(Inquiry(phone="067 123 45 67"), None)


def test_validate_inquiry_possible_but_invalid_phone_is_flagged_not_refused():
	result = validate_inquiry(Inquiry(phone="+1 200 555 0100"), "US")
	assert result.phone_flagged is True
	assert result.keys() == [("phone", "+12005550100")]


def test_validate_inquiry_valid_phone_not_flagged():
	result = validate_inquiry(Inquiry(phone="8 (916) 123-45-67"), "RU")
	assert result.phone_flagged is False
	assert result.phone.e164 == "+79161234567"


# -- decide -------------------------------------------------------------------------------------------------


def test_decide_no_matches_creates():
	assert decide([]) == Decision("created", None, None, None, None)


def test_decide_customer_wins():
	matches = [
		Match("Lead", "LEAD-1", "email"),
		Match("Customer", "Acme", "email"),
		Match("Contact", "Olga", "email"),
	]
	assert decide(matches) == Decision("existing", "Customer", "Acme", "email", "Acme")


def test_decide_contact_linked_to_customer_wins_as_customer():
	matches = [Match("Lead", "LEAD-1", "phone"), Match("Contact", "Olga", "phone", customer="Acme")]
	assert decide(matches) == Decision("existing", "Customer", "Acme", "phone", "Acme")


def test_decide_open_lead_beats_contact_and_archived_lead():
	matches = [
		Match("Contact", "Olga", "email"),
		Match("Lead", "LEAD-1", "email", archived=True),
		Match("Lead", "LEAD-2", "email"),
	]
	assert decide(matches) == Decision("existing", "Lead", "LEAD-2", "email", None)


def test_decide_contact_without_customer_beats_archived_lead():
	matches = [Match("Lead", "LEAD-1", "email", archived=True), Match("Contact", "Olga", "email")]
	assert decide(matches) == Decision("existing", "Contact", "Olga", "email", None)


def test_decide_archived_lead_is_returning():
	assert decide([Match("Lead", "LEAD-1", "phone", archived=True)]) == Decision(
		"returning", "Lead", "LEAD-1", "phone", None
	)


def test_decide_external_id_customer_beats_email_archived_lead():
	matches = [Match("Lead", "LEAD-1", "email", archived=True), Match("Customer", "Acme", "external_id")]
	assert decide(matches) == Decision("existing", "Customer", "Acme", "external_id", "Acme")


def test_decide_email_archived_lead_beats_phone_open_lead():
	matches = [Match("Lead", "LEAD-2", "phone"), Match("Lead", "LEAD-1", "email", archived=True)]
	assert decide(matches) == Decision("returning", "Lead", "LEAD-1", "email", None)


def test_decide_stronger_key_wins_even_over_weaker_customer():
	matches = [Match("Customer", "Acme", "phone"), Match("Lead", "LEAD-1", "external_id", archived=True)]
	assert decide(matches) == Decision("returning", "Lead", "LEAD-1", "external_id", None)
	matches = [Match("Contact", "Ivan", "phone", customer="Acme"), Match("Contact", "Olga", "email")]
	assert decide(matches) == Decision("existing", "Contact", "Olga", "email", None)


@pytest.mark.parametrize(
	("matches", "expected"),
	[
		(
			[Match("Customer", "Zeta", "email"), Match("Contact", "Olga", "email", customer="Acme")],
			Decision("existing", "Customer", "Acme", "email", "Acme"),
		),
		(
			[
				Match("Lead", "LEAD-9", "phone"),
				Match("Lead", "LEAD-3", "phone"),
				Match("Lead", "LEAD-5", "phone"),
			],
			Decision("existing", "Lead", "LEAD-3", "phone", None),
		),
		(
			[Match("Contact", "Olga", "email"), Match("Contact", "Ivan", "email")],
			Decision("existing", "Contact", "Ivan", "email", None),
		),
		(
			[Match("Lead", "L-2", "email", archived=True), Match("Lead", "L-1", "email", archived=True)],
			Decision("returning", "Lead", "L-1", "email", None),
		),
	],
)
def test_decide_ties_are_deterministic(matches, expected):
	rng = random.Random(7)
	for _ in range(10):
		shuffled = list(matches)
		rng.shuffle(shuffled)
		assert decide(shuffled) == expected
	assert decide(tuple(matches)) == expected


@pytest.mark.parametrize(
	"match",
	[Match("Opportunity", "OPP-1", "email"), Match("Lead", "LEAD-1", "fax")],
)
def test_decide_rejects_unknown_doctype_or_key(match):
	with pytest.raises(ValueError):
		decide([match])


# -- properties ---------------------------------------------------------------------------------------------


@settings(max_examples=200)
@given(email=st.emails(), pad_left=st.sampled_from(["", " ", "\t "]), pad_right=st.sampled_from(["", " \n"]))
def test_normalize_email_is_idempotent(email, pad_left, pad_right):
	once = normalize_email(pad_left + email + pad_right)
	assert once == email.lower()
	assert normalize_email(once) == once
	assert normalize_email(once.upper()) == once
	assert normalize_email(f"Someone <{email}>") == once


_UA_OPERATOR_CODES = ["50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]


def _ua_formats(code: str, subscriber: str) -> list[str]:
	a, b, c = subscriber[:3], subscriber[3:5], subscriber[5:]
	return [
		f"+380{code}{subscriber}",
		f"+380 {code} {a} {b} {c}",
		f"0{code}{subscriber}",
		f"0{code} {a} {b} {c}",
		f"(0{code}) {a}-{b}-{c}",
		f"380{code}{subscriber}",
		f"+38 (0{code}) {a}-{b}{c}",
		f"  0{code}-{a}-{b}-{c} ",
	]


@settings(max_examples=200)
@given(
	code=st.sampled_from(_UA_OPERATOR_CODES),
	subscriber=st.text(alphabet="0123456789", min_size=7, max_size=7),
	data=st.data(),
)
def test_ua_number_formats_normalize_to_same_e164(code, subscriber, data):
	formats = _ua_formats(code, subscriber)
	first = data.draw(st.sampled_from(formats))
	second = data.draw(st.sampled_from(formats))
	expected = f"+380{code}{subscriber}"
	assert normalize_phone(first, "UA").e164 == expected
	assert normalize_phone(second, "UA").e164 == expected


# -- validate_public_inquiry --------------------------------------------------------------------------------


def test_public_inquiry_drops_an_external_id():
	norm = validate_public_inquiry(Inquiry(person_name="Olga", email="Olga@X.com", external_id="form-1"))
	assert (norm.email, norm.external_id, norm.inquiry.external_id) == ("olga@x.com", None, None)
	assert norm.keys() == [(KEY_EMAIL, "olga@x.com")]


@pytest.mark.parametrize(
	("field", "limit"),
	[
		("person_name", 140),
		("company_name", 140),
		("phone", 40),
		("need", 2000),
		("text", 5000),
		("utm_source", 140),
	],
)
def test_public_inquiry_refuses_a_value_over_its_limit(field, limit):
	ok = (
		Inquiry(email="a@b.co", **{field: "x" * limit})
		if field != "phone"
		else Inquiry(email="a@b.co", phone="1" * limit)
	)
	validate_public_inquiry(ok)  # at the limit: fine
	with pytest.raises(TooLong) as err:
		validate_public_inquiry(Inquiry(email="a@b.co", **{field: "1" * (limit + 1)}))
	assert (err.value.field, err.value.limit) == (field, limit)


@pytest.mark.parametrize(
	"inq", [Inquiry(person_name="Olga"), Inquiry(company_name="X", email="  ", phone="")]
)
def test_public_inquiry_needs_an_email_or_a_phone(inq):
	with pytest.raises(MissingEmailOrPhone):
		validate_public_inquiry(inq)


def test_public_inquiry_keeps_the_usual_checks():
	with pytest.raises(InvalidEmail):
		validate_public_inquiry(Inquiry(email="olga@@x"))
	with pytest.raises(InvalidPhone):
		validate_public_inquiry(Inquiry(phone="call me"))
