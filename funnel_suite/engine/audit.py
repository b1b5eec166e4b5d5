"""Funnel design audit: a linter for funnel definitions.

A valid definition (see `validate_definition`) can still be a poor funnel. The audit looks
at two things:

* the **shape**: an entry stage, a Won and a Lost stage, a way forward from every open
  stage, no stage nobody can reach, not too many open stages, a next action and a stale
  limit on every open stage;
* the **stage names**: a stage is a *completed fact* of the customer's decision
  ("Invoice issued", «Договор подписан», «Рахунок виставлено»), never a manager activity
  ("second call"), a mood or a vague state ("thinking", «в работе») or the state of another
  entity ("booked" is a state of the unit being sold).

Nothing here is fatal: the result is a list of `Finding` objects sorted by severity. The
phrases the name checks look for are data (`audit_vocabulary.json`), in English, Russian and
Ukrainian, and an administrator can extend them (`load_vocabulary(extra=...)`).

Matching is tolerant of case, extra spaces, punctuation, ё/е, Ukrainian apostrophes and
inflected word forms: every word is reduced to a light stem (common English or Slavic endings
cut off), and a phrase matches when the stems of all its words appear in the stage name in
the same order, other words may sit between.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from funnel_suite.engine.definition import KIND_LOST, KIND_WON, Funnel, Stage, normalize_stage_name

ERROR = "error"
WARNING = "warning"
HINT = "hint"
SEVERITIES = (ERROR, WARNING, HINT)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}

LANGUAGES = ("en", "ru", "uk")
DEFAULT_VOCABULARY_PATH = Path(__file__).with_name("audit_vocabulary.json")

# Categories of stage-name phrases and the finding each one produces.
ACTIVITY = "activity"
VAGUE = "vague"
FOREIGN_ENTITY = "foreign_entity"
INVOICE_STATE = "invoice_state"
MEETING_SCHEDULED = "meeting_scheduled"
PHRASE_CATEGORIES = (ACTIVITY, VAGUE, FOREIGN_ENTITY, INVOICE_STATE, MEETING_SCHEDULED)
_NON_PHRASE_KEYS = ("suggestions", "invoice_purposes")


@dataclass(frozen=True)
class Finding:
	"""One remark of the audit. `code` is stable; `message` explains why and what to do."""

	code: str
	severity: str
	stage: str | None
	message: str
	suggestion: str | None = None
	# The values the message was built from (matched phrase, counts, entry stage, …), so that a
	# caller can word the finding in another language: the engine speaks English only.
	params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

	def as_dict(self) -> dict:
		return {
			"code": self.code,
			"severity": self.severity,
			"stage": self.stage,
			"message": self.message,
			"suggestion": self.suggestion,
		}


# --- normalization and stemming -------------------------------------------------------------

_APOSTROPHES = re.compile("['’ʼ‘`´]")
_HYPHEN = re.compile(r"(?<=\w)[-‐‑](?=\w)")  # прайс-лист, follow-up, e-mail: one word
_LATIN_HYPHEN = re.compile(r"(?<=[a-z0-9])[-‐‑](?=[a-z0-9])")  # first-call: also read as two words
_NON_WORD = re.compile(r"[\W_]+")
_CYRILLIC = re.compile("[а-яёіїєґ]")
_UKRAINIAN = re.compile("[іїєґ]")
_RUSSIAN = re.compile("[ыэъё]")

# Slavic (Russian + Ukrainian) inflectional endings; the longest one that fits is cut off.
# Only the ending proper is listed (not the thematic vowel before it), so that every form of
# a word ends up with the same stem: думает / думают / думаем / думать -> "дума".
_SLAVIC_ENDINGS = tuple(
	sorted(
		{
			# adjectives and participles
			"ого", "его", "ому", "ему", "ыми", "ими", "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые",
			"ие", "ых", "их", "ую", "юю", "ым", "им", "ій", "ої", "ою", "ею",
			# nouns
			"ами", "ями", "ах", "ях", "ам", "ям", "ов", "ев", "ей", "ом", "ем", "ия", "ию", "ии",
			"ье", "ья", "ью", "ів", "їв", "ові", "еві",
			# verbs
			"ть", "ти", "ет", "ит", "ут", "ют", "ат", "ят", "ешь", "ишь", "ете", "ите", "ємо", "емо",
			"имо", "ють", "уть", "ла", "ли", "ло",
			# single letters
			"а", "я", "о", "е", "и", "ы", "у", "ю", "і", "ї", "є", "ь", "й",
		},
		key=len,
		reverse=True,
	)
)  # fmt: skip
_SLAVIC_REFLEXIVE = ("ся", "сь")
_SLAVIC_ABSTRACT = ("ость", "ість")
_SLAVIC_VOWELS = frozenset("аеиоуыэюяіїєьй")
_FLEETING_VOWEL = ("ок", "ек", "ец")  # звонок / звонка, дзвінок / дзвінка, рахунок / рахунку
_EN_DOUBLE_KEPT = frozenset("lsz")  # called -> call, but planned -> plan


def normalize_text(text: str | None) -> str:
	"""Lower case, ё -> е, apostrophes and in-word hyphens dropped, other punctuation -> spaces."""
	text = normalize_stage_name(text).replace("ё", "е")
	text = _HYPHEN.sub("", _APOSTROPHES.sub("", text))
	return " ".join(_NON_WORD.sub(" ", text).split())


def detect_language(text: str | None) -> str:
	"""uk for Cyrillic with Ukrainian letters (і, ї, є, ґ), ru for other Cyrillic, else en."""
	text = (text or "").casefold()
	if _CYRILLIC.search(text):
		return "uk" if _UKRAINIAN.search(text) else "ru"
	return "en"


def _stem_en(word: str) -> str:
	# The -ing form is kept apart on purpose: "processing" is a vague state, "processed" a fact.
	if len(word) <= 3:
		return word
	if word.endswith("ies") and len(word) > 4:
		word = word[:-3] + "y"
	elif word.endswith("sses"):
		word = word[:-2]
	elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
		word = word[:-1]
	if word.endswith("ied") and len(word) > 4:
		word = word[:-3] + "y"
	elif word.endswith("ed") and len(word) > 4:
		word = word[:-2]
		if len(word) > 2 and word[-1] == word[-2] and word[-1] not in _EN_DOUBLE_KEPT:
			word = word[:-1]
	if word.endswith("e") and len(word) > 3:
		word = word[:-1]
	return word


def _stem_slavic(word: str) -> str:
	if len(word) < 4:
		return word
	for ending in _SLAVIC_REFLEXIVE:
		if word.endswith(ending) and len(word) - len(ending) >= 4:
			word = word[: -len(ending)]
			break
	if word.endswith(_SLAVIC_ABSTRACT):  # потребность: the -ть is not a verb ending here
		word = word[:-1]
	for ending in _SLAVIC_ENDINGS:
		if word.endswith(ending) and len(word) - len(ending) >= 3:
			word = word[: -len(ending)]
			break
	while len(word) > 4 and word[-1] in _SLAVIC_VOWELS:
		word = word[:-1]
	if len(word) >= 5 and word[-2:] in _FLEETING_VOWEL:
		word = word[:-2] + word[-1]
	return word


def stem(word: str) -> str:
	"""The light stem of one normalized word (English or Slavic rules by its script)."""
	return _stem_slavic(word) if _CYRILLIC.search(word) else _stem_en(word)


def stems(text: str | None) -> tuple[str, ...]:
	"""The stems of the words of `text`, in order."""
	return tuple(stem(word) for word in normalize_text(text).split())


def name_variants(text: str | None) -> tuple[tuple[str, ...], ...]:
	"""The stem sequences a stage name is matched by: hyphenated words joined ("follow-up" ->
	"followup", "прайс-лист" -> "прайслист") and, for Latin words, also split ("first call")."""
	joined = stems(text)
	split = stems(_LATIN_HYPHEN.sub(" ", (text or "").casefold()))
	return (joined,) if split == joined else (joined, split)


def _stage_language(name: str, phrase: Phrase | None) -> str:
	"""The language to suggest in: `detect_language`, except that a Cyrillic name with neither
	Ukrainian nor Russian-only letters ("Передзвонити", "Бронювання") takes the language of
	the Slavic phrase it matched."""
	language = detect_language(name)
	if (
		language == "ru"
		and phrase is not None
		and phrase.language in ("ru", "uk")
		and not _RUSSIAN.search(name.casefold())
	):
		return phrase.language
	return language


def _contains_in_order(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
	if not needle:
		return False
	words = iter(haystack)
	return all(any(word == wanted for word in words) for wanted in needle)


# --- vocabulary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
	"""One phrase of the vocabulary, with the stems it is matched by."""

	text: str
	language: str
	stems: tuple[str, ...]

	@classmethod
	def make(cls, text: str, language: str) -> Phrase:
		return cls(text, language, stems(text))

	def matches(self, name_stems: tuple[str, ...]) -> bool:
		return _contains_in_order(name_stems, self.stems)


@dataclass(frozen=True)
class Vocabulary:
	"""The phrases of each category, the suggested names and the invoice-related purposes."""

	phrases: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
	suggestions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
	invoice_purposes: tuple[str, ...] = ()
	data: Mapping = field(default_factory=dict, repr=False, compare=False)

	@classmethod
	def from_data(cls, data: Mapping) -> Vocabulary:
		phrases = {
			category: tuple(
				Phrase.make(text, language)
				for language, texts in (value or {}).items()
				for text in texts
				if normalize_text(text)
			)
			for category, value in data.items()
			if category not in _NON_PHRASE_KEYS and not category.startswith("_")
		}
		suggestions = {
			category: dict(by_language or {}) for category, by_language in data.get("suggestions", {}).items()
		}
		purposes = tuple(normalize_stage_name(p) for p in data.get("invoice_purposes", ()) if p)
		return cls(phrases, suggestions, purposes, data)

	def match(self, category: str, name: str | None) -> Phrase | None:
		"""The first phrase of `category` found in `name` (all languages are tried), or None."""
		variants = name_variants(name)
		return next((p for p in self.phrases.get(category, ()) if any(p.matches(v) for v in variants)), None)

	def suggestion(self, category: str, language: str) -> str | None:
		"""The suggested stage name for `category` in `language` (English when missing)."""
		by_language = self.suggestions.get(category) or {}
		return by_language.get(language) or by_language.get("en") or None

	def is_invoice_purpose(self, purpose: str | None) -> bool:
		return bool(purpose) and normalize_stage_name(purpose) in self.invoice_purposes


def _as_strings(value, where: str) -> list[str]:
	if isinstance(value, str) or not isinstance(value, Iterable):
		raise ValueError(f"{where}: expected a list of phrases, got {type(value).__name__}")
	items = list(value)
	for item in items:
		if not isinstance(item, str):
			raise ValueError(f"{where}: every phrase must be a string, got {item!r}")
	return items


def _by_language(value, where: str) -> dict[str, list[str]]:
	"""A category's phrases as {language: [phrase, ...]}; a bare list is split by script."""
	if isinstance(value, Mapping):
		return {str(language): _as_strings(texts, f"{where}.{language}") for language, texts in value.items()}
	grouped: dict[str, list[str]] = {}
	for text in _as_strings(value, where):
		grouped.setdefault(detect_language(text), []).append(text)
	return grouped


def _merge(base: dict, extra: Mapping) -> dict:
	merged = dict(base)
	for key, value in extra.items():
		if key.startswith("_"):
			continue
		if key == "suggestions":
			if not isinstance(value, Mapping):
				raise ValueError("suggestions: expected {category: {language: name}}")
			suggestions = {category: dict(names) for category, names in merged.get(key, {}).items()}
			for category, names in value.items():
				if not isinstance(names, Mapping):
					raise ValueError(f"suggestions.{category}: expected {{language: name}}")
				suggestions.setdefault(category, {}).update({str(k): str(v) for k, v in names.items()})
			merged[key] = suggestions
		elif key == "invoice_purposes":
			merged[key] = list(dict.fromkeys([*merged.get(key, []), *_as_strings(value, key)]))
		else:
			languages = {language: list(texts) for language, texts in merged.get(key, {}).items()}
			for language, texts in _by_language(value, key).items():
				known = languages.setdefault(language, [])
				known.extend(t for t in texts if t not in known)
			merged[key] = languages
	return merged


def _check_shape(data, where: str) -> dict:
	if not isinstance(data, Mapping):
		raise ValueError(f"{where}: expected a JSON object")
	checked = {}
	for key, value in data.items():
		if key.startswith("_"):
			continue
		if key == "suggestions" or key == "invoice_purposes":
			checked[key] = value
		else:
			checked[key] = _by_language(value, key)
	return checked


def load_vocabulary(path: str | Path | None = None, extra: Mapping | None = None) -> Vocabulary:
	"""Read the phrase lists (default: `audit_vocabulary.json` beside this module).

	`extra`, in the same shape, is merged in: its phrases are added to the lists of their
	category and language (a new category or language is fine; a bare list is split by
	script), its suggestions replace the default ones, its invoice purposes are added.
	"""
	source = Path(path) if path else DEFAULT_VOCABULARY_PATH
	with open(source, encoding="utf-8") as handle:
		data = _check_shape(json.load(handle), str(source))
	if extra:
		data = _merge(data, _check_shape(extra, "extra"))
	return Vocabulary.from_data(data)


@lru_cache(maxsize=1)
def default_vocabulary() -> Vocabulary:
	return load_vocabulary()


# --- the audit ------------------------------------------------------------------------------


def audit_funnel(
	funnel: Funnel,
	vocabulary: Vocabulary | None = None,
	*,
	purpose: str | None = None,
	max_open_stages: int = 7,
) -> list[Finding]:
	"""Every remark on the design of `funnel`: errors first, then warnings, then hints;
	within a severity funnel-level findings first, then in stage order.

	`purpose` is the funnel's purpose (e.g. "Sales", "Procurement"): an "invoice paid" stage
	is fine only in a funnel about invoices. Nothing is raised.
	"""
	if vocabulary is None:
		vocabulary = default_vocabulary()
	findings: list[tuple[int, Finding]] = []  # (stage position or -1, finding)
	findings.extend((-1, f) for f in _funnel_findings(funnel, max_open_stages))
	findings.extend(_graph_findings(funnel))
	for position, stage in enumerate(funnel.stages):
		findings.extend((position, f) for f in _name_findings(funnel, stage, vocabulary, purpose))
		findings.extend((position, f) for f in _setup_findings(stage))
	findings.sort(key=lambda item: (_SEVERITY_RANK.get(item[1].severity, len(SEVERITIES)), item[0]))
	return [finding for _, finding in findings]


def _funnel_findings(funnel: Funnel, max_open_stages: int) -> list[Finding]:
	findings = []
	if funnel.entry_stage is None:
		findings.append(
			Finding(
				"no_entry_stage",
				ERROR,
				None,
				"The funnel has no Open stage, so there is no entry stage: new cards have nowhere to start. "
				"Add an Open stage for the first fact, e.g. 'Inquiry received'.",
			)
		)
	kinds = {s.kind for s in funnel.stages}
	if KIND_WON not in kinds:
		findings.append(
			Finding(
				"no_won_stage",
				ERROR,
				None,
				"The funnel has no Won stage, so a successful deal can never be closed and counted. "
				"Add a Won stage named after the fact that ends the deal, e.g. 'Contract signed'.",
			)
		)
	if KIND_LOST not in kinds:
		findings.append(
			Finding(
				"no_lost_stage",
				ERROR,
				None,
				"The funnel has no Lost stage, so a refused deal stays open for ever and distorts the "
				"conversion. Add a Lost stage, e.g. 'Deal lost'.",
			)
		)
	open_count = sum(1 for s in funnel.stages if s.is_open)
	if open_count > max_open_stages:
		findings.append(
			Finding(
				"too_many_open_stages",
				WARNING,
				None,
				f"The funnel has {open_count} open stages (more than {max_open_stages}). Keep the minimum "
				"stages that describe the customer's decision: merge stages that mark the same fact and "
				"turn manager activities into next actions.",
				params={"open_count": open_count, "max_open_stages": max_open_stages},
			)
		)
	return findings


def _moves(funnel: Funnel, stage: Stage) -> tuple[Stage, ...]:
	return tuple(s for s in funnel.next_stages(stage.name) if s is not stage)


def _reachable(funnel: Funnel, start: Stage) -> set[int]:
	"""ids of the stages reachable from `start` in one or more moves (plus `start` itself)."""
	seen = {id(start)}
	todo = [start]
	while todo:
		for target in _moves(funnel, todo.pop()):
			if id(target) not in seen:
				seen.add(id(target))
				todo.append(target)
	return seen


def _graph_findings(funnel: Funnel) -> list[tuple[int, Finding]]:
	findings: list[tuple[int, Finding]] = []
	final_ids = {id(s) for s in funnel.stages if s.is_final}
	entry = funnel.entry_stage
	from_entry = _reachable(funnel, entry) if entry is not None else None

	for position, stage in enumerate(funnel.stages):
		if stage.is_open and not _moves(funnel, stage):
			findings.append(
				(
					position,
					Finding(
						"dead_end",
						ERROR,
						stage.name,
						f"No move is possible from the open stage '{stage.name}': its allowed next stages "
						"name only itself or no stage of this funnel, so its cards are stuck for ever. "
						"Add the stages a card may go to next, or clear the list to allow any stage.",
					),
				)
			)
		elif stage.is_open and final_ids and not (_reachable(funnel, stage) & final_ids):
			findings.append(
				(
					position,
					Finding(
						"open_stage_cannot_finish",
						WARNING,
						stage.name,
						f"From the open stage '{stage.name}' no Won or Lost stage can be reached, so its "
						"cards can never be closed. Allow a move towards a Won stage and at least to a "
						"Lost stage.",
					),
				)
			)
		if from_entry is not None and id(stage) not in from_entry:
			findings.append(
				(
					position,
					Finding(
						"unreachable_stage",
						WARNING,
						stage.name,
						f"The stage '{stage.name}' cannot be reached from the entry stage '{entry.name}' "
						"by the allowed moves, so no card will ever get there. Add it to the allowed next "
						"stages of an earlier stage, or remove it.",
						params={"entry": entry.name},
					),
				)
			)
	return findings


def _name_findings(
	funnel: Funnel, stage: Stage, vocabulary: Vocabulary, purpose: str | None
) -> list[Finding]:
	name = (stage.name or "").strip()
	if not normalize_text(name):
		return []
	findings = []

	scheduled = vocabulary.match(MEETING_SCHEDULED, name)
	if scheduled is not None:
		findings.append(
			Finding(
				"meeting_scheduled_hint",
				HINT,
				stage.name,
				f"'{name}' (like '{scheduled.text}'): the sources disagree on this one. One article counts "
				"an agreed meeting as a completed fact of the customer's decision (the customer has "
				"committed time), another counts it as a manager activity. Keep it if in your process "
				"the agreed meeting really marks the customer's step forward; otherwise name the fact the "
				"meeting produces.",
				params={"match": scheduled.text},
			)
		)

	if scheduled is None:
		activity = vocabulary.match(ACTIVITY, name)
		if activity is not None:
			suggestion = vocabulary.suggestion(ACTIVITY, _stage_language(name, activity))
			findings.append(
				Finding(
					"activity_stage",
					WARNING,
					stage.name,
					f"'{name}' describes a manager activity (like '{activity.text}'), not the customer's "
					"decision: calls and meetings are work, they can repeat and prove nothing about the "
					"deal. Name the stage after the completed fact the activity leads to"
					+ _suggest(funnel, stage, suggestion)
					+ ", and plan the activity as the stage's next action.",
					suggestion,
					params=_suggestion_params(funnel, stage, suggestion, activity.text),
				)
			)

	vague = vocabulary.match(VAGUE, name)
	if vague is not None:
		suggestion = vocabulary.suggestion(VAGUE, _stage_language(name, vague))
		findings.append(
			Finding(
				"vague_stage",
				WARNING,
				stage.name,
				f"'{name}' is a mood or a vague state (like '{vague.text}'), not a completed fact: nobody "
				"can check whether it is true, it does not say what has happened, and cards pile up in it. "
				"Name the fact that has happened" + _suggest(funnel, stage, suggestion) + ".",
				suggestion,
				params=_suggestion_params(funnel, stage, suggestion, vague.text),
			)
		)

	if scheduled is None:
		foreign = vocabulary.match(FOREIGN_ENTITY, name)
		if foreign is not None:
			suggestion = vocabulary.suggestion(FOREIGN_ENTITY, _stage_language(name, foreign))
			findings.append(
				Finding(
					"foreign_entity_stage",
					WARNING,
					stage.name,
					f"'{name}' is the state of another entity (like '{foreign.text}'): a booking or a "
					"reservation is a state of the unit being sold (the room, the car, the flat), not a "
					"step of the customer's decision. Keep it as a separate fact or field on that unit and "
					"name the stage after the customer's fact" + _suggest(funnel, stage, suggestion) + ".",
					suggestion,
					params=_suggestion_params(funnel, stage, suggestion, foreign.text),
				)
			)

	if not vocabulary.is_invoice_purpose(purpose):
		invoice = vocabulary.match(INVOICE_STATE, name)
		if invoice is not None:
			suggestion = vocabulary.suggestion(INVOICE_STATE, _stage_language(name, invoice))
			about = f"a '{purpose}' funnel" if purpose else "this funnel"
			findings.append(
				Finding(
					"foreign_entity_stage",
					WARNING,
					stage.name,
					f"'{name}' is the state of another entity (like '{invoice.text}'): 'paid' is a state of "
					f"the invoice, a document with its own status, and {about} is not about invoices. Keep "
					"the payment status on the invoice and name the stage after the customer's fact"
					+ _suggest(funnel, stage, suggestion)
					+ ".",
					suggestion,
					params={**_suggestion_params(funnel, stage, suggestion, invoice.text), "invoice": True},
				)
			)
	return findings


def _suggestion_params(funnel: Funnel, stage: Stage, suggestion: str | None, match: str) -> dict:
	existing = funnel.stage(suggestion) if suggestion else None
	return {"match": match, "merge": existing is not None and existing is not stage}


def _suggest(funnel: Funnel, stage: Stage, suggestion: str | None) -> str:
	if not suggestion:
		return ""
	existing = funnel.stage(suggestion)
	if existing is not None and existing is not stage:
		return f", e.g. '{suggestion}' (the funnel already has that stage: consider merging the two)"
	return f", e.g. '{suggestion}'"


def _setup_findings(stage: Stage) -> list[Finding]:
	if not stage.is_open:
		return []
	findings = []
	if not (stage.next_action or "").strip():
		findings.append(
			Finding(
				"no_next_action",
				HINT,
				stage.name,
				f"The open stage '{stage.name}' has no next action: say what the manager does to bring the "
				"customer to the next fact, so cards do not sit idle.",
			)
		)
	if not stage.stale_after_days:
		findings.append(
			Finding(
				"no_stale_limit",
				HINT,
				stage.name,
				f"The open stage '{stage.name}' has no stale limit: set after how many days a card waiting "
				"here is flagged as stale.",
			)
		)
	return findings
