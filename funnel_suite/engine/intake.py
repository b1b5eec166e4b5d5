"""Intake: one door for every inbound contact. Pure Python, no Frappe.

Before a Lead is created, the intake normalizes what the inquiry says about the person (email, phone, names,
an external id) into matching keys, and decides from the records the caller found by those keys whether the
inquiry is new ("created"), belongs to a known person or company ("existing") or brings back an archived
lead ("returning"). Loading the matches and creating or updating documents is the Frappe layer's job; the
typed errors here carry data so that layer can word them (translated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import phonenumbers

# -- errors -------------------------------------------------------------------------------------------------


class IntakeError(ValueError):
	"""Base of every refusal to take an inquiry in."""

	code = "intake_error"


class InvalidEmail(IntakeError):
	code = "invalid_email"

	def __init__(self, value: str | None):
		self.value = value
		super().__init__(f"'{value}' is not a valid email address")


class InvalidPhone(IntakeError):
	code = "invalid_phone"

	def __init__(self, value: str | None):
		self.value = value
		super().__init__(f"'{value}' is not a valid phone number")


class MissingContactData(IntakeError):
	code = "missing_contact_data"

	missing = ("email", "phone", "person_name", "company_name")

	def __init__(self):
		super().__init__(
			"an inquiry needs at least one way to identify the contact; missing: "
			"email, phone and name (person or company)"
		)


# -- email --------------------------------------------------------------------------------------------------

MAX_EMAIL_LENGTH = 254

# Characters that never appear in the plain addresses we accept (quoted local parts are not supported).
_FORBIDDEN_EMAIL_CHARS = frozenset('<>()[],;:"\\')


def _blank(value: str | None) -> bool:
	return value is None or not value.strip()


def _clean(value: str | None) -> str | None:
	"""Trim and collapse inner whitespace; None for empty."""
	if value is None:
		return None
	cleaned = " ".join(value.split())
	return cleaned or None


def clean_name(value: str | None) -> str | None:
	"""A person's or company's name as a record name may hold it: trimmed, inner whitespace
	collapsed, without "<" and ">" (the host refuses them in document names, and a Lead's Contact
	is named after the person); None when nothing is left."""
	if value is None:
		return None
	return _clean(value.replace("<", " ").replace(">", " "))


def normalize_email(value: str | None) -> str | None:
	"""Return the address trimmed and lower-cased, None for empty input, or raise `InvalidEmail`.

	A display form ("Olga <olga@x.com>") is accepted: the address inside the angle brackets is used. The check
	is simple and strict: exactly one "@", a non-empty local part, a domain with a dot, no whitespace or
	control characters, no consecutive dots, no leading or trailing dot in either part, no domain label starting
	or ending with "-", none of the characters <>()[],;:"\\ (no quoted local parts), at most 254 characters.
	"""
	if _blank(value):
		return None
	text = value.strip()
	if "<" in text or ">" in text:
		opening = text.find("<")
		if opening < 0 or text.count("<") != 1 or text.count(">") != 1 or not text.endswith(">"):
			raise InvalidEmail(value)
		text = text[opening + 1 : -1].strip()
	address = text.lower()
	if not _is_valid_address(address):
		raise InvalidEmail(value)
	return address


def _is_valid_address(address: str) -> bool:
	if not address or len(address) > MAX_EMAIL_LENGTH or address.count("@") != 1:
		return False
	if any(ch.isspace() or not ch.isprintable() or ch in _FORBIDDEN_EMAIL_CHARS for ch in address):
		return False
	if ".." in address:
		return False
	local, domain = address.split("@")
	if not local or local.startswith(".") or local.endswith("."):
		return False
	if "." not in domain or domain.startswith(".") or domain.endswith("."):
		return False
	return all(label and not label.startswith("-") and not label.endswith("-") for label in domain.split("."))


# -- phone --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneKey:
	"""A normalized phone: `e164` is the matching key (None when the input is not a possible number), `raw`
	the trimmed input as given, `valid` whether the number is valid for its region."""

	e164: str | None
	raw: str
	valid: bool


def normalize_phone(value: str | None, default_region: str | None = None) -> PhoneKey | None:
	"""Parse a phone with `phonenumbers`; None for empty input.

	Numbers without a leading "+" are read in `default_region` (an ISO 3166 code such as "UA"); when it is None
	only international numbers parse. A number that parses and is possible gets its E.164 form (`valid` tells
	whether it is also a valid number); one that does not parse or is not possible gets `e164=None`.
	"""
	if _blank(value):
		return None
	raw = value.strip()
	region = default_region.strip().upper() if default_region and default_region.strip() else None
	try:
		number = phonenumbers.parse(raw, region)
	except phonenumbers.NumberParseException:
		return PhoneKey(e164=None, raw=raw, valid=False)
	if not phonenumbers.is_possible_number(number):
		return PhoneKey(e164=None, raw=raw, valid=False)
	e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
	return PhoneKey(e164=e164, raw=raw, valid=phonenumbers.is_valid_number(number))


# -- inquiry ------------------------------------------------------------------------------------------------

KEY_EXTERNAL_ID = "external_id"
KEY_TELEGRAM = "telegram"
KEY_EMAIL = "email"
KEY_PHONE = "phone"
KEY_TYPES = (KEY_EXTERNAL_ID, KEY_TELEGRAM, KEY_EMAIL, KEY_PHONE)
"""Matching keys, strongest first (a Telegram chat id is the person's own chat with the bot)."""

# Where an inquiry came in (recorded on the Lead or deal it creates, and in its timeline note).
CHANNEL_API = "API"
CHANNEL_DATA_IMPORT = "Data Import"
CHANNEL_WEB_FORM = "Web Form"
CHANNEL_EMAIL = "E-mail"
CHANNEL_TELEGRAM = "Telegram"
CHANNELS = (CHANNEL_API, CHANNEL_DATA_IMPORT, CHANNEL_WEB_FORM, CHANNEL_EMAIL, CHANNEL_TELEGRAM)
MAX_CHANNEL_LENGTH = 140


def normalize_channel(value: str | None, default: str = CHANNEL_API) -> str:
	"""The channel as recorded: one of CHANNELS in its own spelling when it names one (any case),
	else the caller's own word (trimmed, at most 140 characters), else `default`."""
	cleaned = _clean(value)
	if not cleaned:
		return default
	known = {c.lower(): c for c in CHANNELS}
	return known.get(cleaned.lower(), cleaned[:MAX_CHANNEL_LENGTH])


MAX_TELEGRAM_CHAT_ID_LENGTH = 20


def normalize_telegram_chat_id(value) -> str | None:
	"""A Telegram chat id as a key: an integer (negative for groups) written in decimal, at most
	20 characters; None for empty input or anything else."""
	if value is None or isinstance(value, bool):
		return None
	text = str(value).strip()
	digits = text[1:] if text.startswith("-") else text
	if not digits or not digits.isascii() or not digits.isdigit() or len(text) > MAX_TELEGRAM_CHAT_ID_LENGTH:
		return None
	return str(int(text))


@dataclass(frozen=True)
class Inquiry:
	person_name: str | None = None
	company_name: str | None = None
	email: str | None = None
	phone: str | None = None
	source: str | None = None
	campaign: str | None = None
	utm_source: str | None = None
	utm_medium: str | None = None
	utm_campaign: str | None = None
	channel: str | None = None
	need: str | None = None
	text: str | None = None
	external_id: str | None = None
	telegram_chat_id: str | None = None


@dataclass(frozen=True)
class NormalizedInquiry:
	inquiry: Inquiry
	email: str | None
	phone: PhoneKey | None
	person_name: str | None
	company_name: str | None
	external_id: str | None
	phone_flagged: bool = False
	telegram_chat_id: str | None = None

	def keys(self) -> list[tuple[str, str]]:
		"""The matching keys `(key_type, key_value)`, strongest first; a phone counts only with an E.164 form."""
		found: list[tuple[str, str]] = []
		if self.external_id:
			found.append((KEY_EXTERNAL_ID, self.external_id))
		if self.telegram_chat_id:
			found.append((KEY_TELEGRAM, self.telegram_chat_id))
		if self.email:
			found.append((KEY_EMAIL, self.email))
		if self.phone is not None and self.phone.e164:
			found.append((KEY_PHONE, self.phone.e164))
		return found


def validate_inquiry(inq: Inquiry, default_region: str | None = None) -> NormalizedInquiry:
	"""Normalize an inquiry or raise.

	Raises `InvalidEmail` for a malformed email, `MissingContactData` when there is no email, no phone and no
	name (person or company), and `InvalidPhone` when there is no email and the phone is not a possible
	number. With an email, such a phone is kept as given and flagged (`phone_flagged`); a possible but not
	valid number is flagged as well.
	"""
	email = normalize_email(inq.email)
	phone = normalize_phone(inq.phone, default_region)
	person_name = clean_name(inq.person_name)
	company_name = clean_name(inq.company_name)
	telegram = normalize_telegram_chat_id(inq.telegram_chat_id)
	if email is None and phone is None and person_name is None and company_name is None and not telegram:
		raise MissingContactData()
	if phone is not None and phone.e164 is None and email is None:
		raise InvalidPhone(inq.phone)
	return NormalizedInquiry(
		inquiry=inq,
		email=email,
		phone=phone,
		person_name=person_name,
		company_name=company_name,
		external_id=inq.external_id.strip() if not _blank(inq.external_id) else None,
		phone_flagged=phone is not None and not phone.valid,
		telegram_chat_id=telegram,
	)


# -- public (guest) inquiries -------------------------------------------------------------------------------

PUBLIC_FIELD_LIMITS = {
	"person_name": 140,
	"company_name": 140,
	"email": MAX_EMAIL_LENGTH,
	"phone": 40,
	"need": 2000,
	"text": 5000,
	"utm_source": 140,
	"utm_medium": 140,
	"utm_campaign": 140,
}
"""What a website visitor may send, and how long each value may be (characters)."""


class TooLong(IntakeError):
	code = "too_long"

	def __init__(self, field: str, limit: int):
		self.field = field
		self.limit = limit
		super().__init__(f"{field} is longer than {limit} characters")


class MissingEmailOrPhone(IntakeError):
	code = "missing_email_or_phone"

	def __init__(self):
		super().__init__("a website inquiry needs an email or a phone to answer it")


def validate_public_inquiry(inq: Inquiry, default_region: str | None = None) -> NormalizedInquiry:
	"""A visitor's inquiry: every value within PUBLIC_FIELD_LIMITS (`TooLong` names the first one
	that is not), an email or a phone (`MissingEmailOrPhone`), then the checks of `validate_inquiry`.
	An external id is an integration's claim to a record: a visitor's is dropped."""
	for field, limit in PUBLIC_FIELD_LIMITS.items():
		value = getattr(inq, field)
		if value is not None and len(value) > limit:
			raise TooLong(field, limit)
	if _blank(inq.email) and _blank(inq.phone):
		raise MissingEmailOrPhone()
	return validate_inquiry(replace(inq, external_id=None), default_region)


# -- matching decision --------------------------------------------------------------------------------------

DOCTYPE_LEAD = "Lead"
DOCTYPE_CONTACT = "Contact"
DOCTYPE_CUSTOMER = "Customer"
DOCTYPES = (DOCTYPE_LEAD, DOCTYPE_CONTACT, DOCTYPE_CUSTOMER)

OUTCOME_CREATED = "created"
OUTCOME_EXISTING = "existing"
OUTCOME_RETURNING = "returning"
OUTCOME_RECEIVED = "received"
"""The answer that names nothing: the inquiry went to a record the caller may not read."""
OUTCOMES = (OUTCOME_CREATED, OUTCOME_EXISTING, OUTCOME_RETURNING)


@dataclass(frozen=True)
class Match:
	"""A record found by one key. `archived` matters for Leads; a Contact linked to a customer carries it."""

	doctype: str
	name: str
	key_type: str
	archived: bool = False
	customer: str | None = None


@dataclass(frozen=True)
class Decision:
	outcome: str
	doctype: str | None = None
	name: str | None = None
	matched_by: str | None = None
	customer: str | None = None


def _check_match(match: Match) -> None:
	if match.doctype not in DOCTYPES:
		raise ValueError(f"unknown match doctype '{match.doctype}'; allowed: {', '.join(DOCTYPES)}")
	if match.key_type not in KEY_TYPES:
		raise ValueError(f"unknown match key type '{match.key_type}'; allowed: {', '.join(KEY_TYPES)}")


def decide(matches: Sequence[Match]) -> Decision:
	"""Pick what an inquiry belongs to from the records its keys matched.

	Only the strongest key that matched anything counts (external_id, then Telegram chat id, then
	email, then phone). Among its
	matches: a Customer or a Contact linked to a customer ("existing" Customer, so the caller opens a new deal
	for it), else an open Lead ("existing"), else a Contact without customer ("existing"), else an archived
	Lead ("returning"). No matches: "created". Ties go to the smallest name.
	"""
	for match in matches:
		_check_match(match)
	if not matches:
		return Decision(OUTCOME_CREATED)
	key_type = next(key for key in KEY_TYPES if any(m.key_type == key for m in matches))
	best = [m for m in matches if m.key_type == key_type]

	customers = sorted(
		{m.name for m in best if m.doctype == DOCTYPE_CUSTOMER}
		| {m.customer for m in best if m.doctype == DOCTYPE_CONTACT and m.customer}
	)
	if customers:
		return Decision(OUTCOME_EXISTING, DOCTYPE_CUSTOMER, customers[0], key_type, customers[0])

	leads = sorted(m.name for m in best if m.doctype == DOCTYPE_LEAD and not m.archived)
	if leads:
		return Decision(OUTCOME_EXISTING, DOCTYPE_LEAD, leads[0], key_type)

	contacts = sorted(m.name for m in best if m.doctype == DOCTYPE_CONTACT)
	if contacts:
		return Decision(OUTCOME_EXISTING, DOCTYPE_CONTACT, contacts[0], key_type)

	archived = sorted(m.name for m in best if m.doctype == DOCTYPE_LEAD)
	return Decision(OUTCOME_RETURNING, DOCTYPE_LEAD, archived[0], key_type)


__all__ = [
	"CHANNELS",
	"CHANNEL_API",
	"CHANNEL_DATA_IMPORT",
	"CHANNEL_EMAIL",
	"CHANNEL_TELEGRAM",
	"CHANNEL_WEB_FORM",
	"DOCTYPES",
	"DOCTYPE_CONTACT",
	"DOCTYPE_CUSTOMER",
	"DOCTYPE_LEAD",
	"KEY_EMAIL",
	"KEY_EXTERNAL_ID",
	"KEY_PHONE",
	"KEY_TELEGRAM",
	"KEY_TYPES",
	"MAX_EMAIL_LENGTH",
	"OUTCOMES",
	"OUTCOME_CREATED",
	"OUTCOME_EXISTING",
	"OUTCOME_RECEIVED",
	"OUTCOME_RETURNING",
	"PUBLIC_FIELD_LIMITS",
	"Decision",
	"Inquiry",
	"IntakeError",
	"InvalidEmail",
	"InvalidPhone",
	"Match",
	"MissingContactData",
	"MissingEmailOrPhone",
	"NormalizedInquiry",
	"PhoneKey",
	"TooLong",
	"clean_name",
	"decide",
	"normalize_channel",
	"normalize_email",
	"normalize_phone",
	"normalize_telegram_chat_id",
	"validate_inquiry",
	"validate_public_inquiry",
]
