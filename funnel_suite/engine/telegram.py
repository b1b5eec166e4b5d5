"""Telegram updates the bot's webhook receives: checked and reduced to what the intake needs.
Pure Python, no Frappe.

Telegram POSTs one Update (JSON) per call. Only a `message` in a private chat is taken in; every
other kind of update (edited messages, channel posts, group chats, member changes) is ignored, and
the caller answers 200 so that Telegram does not send it again. A body that is not an Update at all
raises `InvalidUpdate`.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass

from funnel_suite.engine.intake import clean_name, normalize_telegram_chat_id

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 64 * 1024
MAX_TEXT = 4096
MAX_NAME = 140
SECRET_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
MAX_SECRET = 256


class InvalidUpdate(ValueError):
	"""The body is not a Telegram Update (`reason` says why, for the log; never sent back)."""

	def __init__(self, reason: str):
		self.reason = reason
		super().__init__(reason)


@dataclass(frozen=True)
class IncomingMessage:
	update_id: int
	message_id: int
	chat_id: str
	first_name: str | None
	last_name: str | None
	username: str | None
	text: str | None

	@property
	def sender_name(self) -> str | None:
		"""First and last name, else @username; without "<" and ">" (see intake.clean_name)."""
		name = clean_name(" ".join(p for p in (self.first_name, self.last_name) if p))
		return name or clean_name(f"@{self.username}" if self.username else None)

	@property
	def message_key(self) -> str:
		"""The message's own id on this site (Communication.message_id): Telegram sends an update
		again when it got no answer, and the same message must not be recorded twice."""
		return f"telegram:{self.chat_id}:{self.message_id}"


def secret_matches(given: str | None, secret: str | None) -> bool:
	"""Constant-time comparison of the header's value with the stored secret; never true without
	a stored secret."""
	if not secret or given is None:
		return False
	return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def is_valid_secret(secret: str) -> bool:
	"""What Telegram accepts as secret_token: 1 to 256 of A-Z, a-z, 0-9, _ and -."""
	return 0 < len(secret) <= MAX_SECRET and all(ch in SECRET_CHARACTERS for ch in secret)


def _integer(value, field: str) -> int:
	if isinstance(value, bool) or not isinstance(value, int):
		raise InvalidUpdate(f"{field} is not an integer")
	return value


def _text(value, limit: int) -> str | None:
	if not isinstance(value, str):
		return None
	cleaned = "".join(ch for ch in value if ch.isprintable() or ch in "\n\t").strip()
	return cleaned[:limit] or None


def parse_update(body: bytes | str | None) -> IncomingMessage | None:
	"""The private message an Update carries; None for an update the bot does not take in;
	InvalidUpdate for a body that is not an Update."""
	if not body:
		raise InvalidUpdate("empty body")
	if len(body) > MAX_BODY_BYTES:
		raise InvalidUpdate("body too large")
	try:
		update = json.loads(body)
	except (ValueError, UnicodeDecodeError):
		raise InvalidUpdate("not JSON") from None
	if not isinstance(update, dict):
		raise InvalidUpdate("not a JSON object")
	update_id = _integer(update.get("update_id"), "update_id")
	message = update.get("message")
	if message is None:
		return None
	if not isinstance(message, dict):
		raise InvalidUpdate("message is not an object")
	message_id = _integer(message.get("message_id"), "message.message_id")
	chat = message.get("chat")
	if not isinstance(chat, dict):
		raise InvalidUpdate("message.chat is not an object")
	chat_id = normalize_telegram_chat_id(_integer(chat.get("id"), "message.chat.id"))
	if chat_id is None:
		raise InvalidUpdate("message.chat.id is out of range")
	if chat.get("type") != "private":
		return None
	sender = message.get("from")
	sender = sender if isinstance(sender, dict) else {}
	if sender.get("is_bot") is True:
		return None
	return IncomingMessage(
		update_id=update_id,
		message_id=message_id,
		chat_id=chat_id,
		first_name=_text(sender.get("first_name") or chat.get("first_name"), MAX_NAME),
		last_name=_text(sender.get("last_name") or chat.get("last_name"), MAX_NAME),
		username=_text(sender.get("username") or chat.get("username"), MAX_NAME),
		text=_text(message.get("text") if "text" in message else message.get("caption"), MAX_TEXT),
	)


__all__ = [
	"MAX_BODY_BYTES",
	"SECRET_HEADER",
	"IncomingMessage",
	"InvalidUpdate",
	"is_valid_secret",
	"parse_update",
	"secret_matches",
]
