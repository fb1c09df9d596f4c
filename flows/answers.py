"""Turn a citizen's free-text reply into a flow answer (choice, numbers, yes/no, commands).

Pure functions: no I/O, no clock, no randomness. Every matcher returns None when the
reply is not understood (or is ambiguous) so the flow can ask again; it never guesses
between two options.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Sequence

__all__ = [
    "ChoiceOption",
    "SUPPORTED_UNITS",
    "damerau_levenshtein",
    "match_choice",
    "match_global_command",
    "match_multi_choice",
    "match_start_command",
    "normalize",
    "parse_number",
    "parse_yes_no",
]

# --- normalisation ---------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_WORD_RE = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Casefold, strip accents, unify apostrophes and spaces, trim surrounding punctuation."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(text.split())
    start, end = 0, len(text)
    while start < end and _is_trim(text[start]):
        start += 1
    while end > start and _is_trim(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_trim(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def _words(normalized: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(normalized))


def damerau_levenshtein(a: str, b: str) -> int:
    """Return the optimal-string-alignment distance (edits plus adjacent transpositions)."""
    if a == b:
        return 0
    if not a or not b:
        return len(a) or len(b)
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


# --- single choice ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceOption:
    """One answer a question accepts: its code and every label or keyword, in every language."""

    code: str
    aliases: tuple[str, ...] = ()

    def keys(self) -> tuple[str, ...]:
        """Return the normalised code and aliases, without blanks or duplicates, in order."""
        seen: dict[str, None] = {}
        for raw in (self.code, *self.aliases):
            key = normalize(raw)
            if key:
                seen.setdefault(key, None)
        return tuple(seen)


# Typo tolerance by alias length: short words are too close to each other ("non"/"nom",
# "oui"/"qui") so they must be typed exactly.
_TYPO_MIN_LEN = 4
_TYPO_LONG_LEN = 8

# Inside a longer message ("je prends le nord"), an alias of one letter ("o", "n", "y")
# would fire on "il y a" or "je n'ai"; two-letter aliases ("no", "si") are still too
# common ("si possible"), so they can only veto another match, never select one.
_CONTAINED_VETO_LEN = 2
_CONTAINED_SELECT_LEN = 3


def _typo_budget(alias: str) -> int:
    if len(alias) >= _TYPO_LONG_LEN:
        return 2
    if len(alias) >= _TYPO_MIN_LEN:
        return 1
    return 0


def _option_number(normalized: str, count: int) -> int | None:
    # Digits only, once surrounding punctuation is gone: "1", " 1.", "1)", "#1", "(1)".
    if re.fullmatch(r"[0-9]+", normalized):
        n = int(normalized)
        if 1 <= n <= count:
            return n
    return None


def _single(indexes: set[int]) -> int | None:
    return next(iter(indexes)) if len(indexes) == 1 else None


def _match_exact(normalized: str, keys: list[tuple[str, ...]]) -> int | None:
    return _single({i for i, option_keys in enumerate(keys) if normalized in option_keys})


def _match_contained(normalized: str, keys: list[tuple[str, ...]]) -> int | None:
    words = _words(normalized)
    # (option index, start, end, can select)
    hits: list[tuple[int, int, int, bool]] = []
    for i, option_keys in enumerate(keys):
        for key in option_keys:
            if len(key) < _CONTAINED_VETO_LEN:
                continue
            key_words = _words(key)
            n = len(key_words)
            if not n:
                continue
            for start in range(len(words) - n + 1):
                if words[start : start + n] == key_words:
                    hits.append((i, start, start + n, len(key) >= _CONTAINED_SELECT_LEN))
    # "nord est" beats "nord" when both are aliases of different options.
    kept = [
        hit
        for hit in hits
        if not any(
            other[0] != hit[0]
            and other[1] <= hit[1]
            and hit[2] <= other[2]
            and (other[1], other[2]) != (hit[1], hit[2])
            for other in hits
        )
    ]
    index = _single({hit[0] for hit in kept})
    if index is not None and any(hit[0] == index and hit[3] for hit in kept):
        return index
    return None


def _match_typo(normalized: str, keys: list[tuple[str, ...]]) -> int | None:
    near = set()
    for i, option_keys in enumerate(keys):
        for key in option_keys:
            budget = _typo_budget(key)
            if budget and abs(len(key) - len(normalized)) <= budget:
                if damerau_levenshtein(normalized, key) <= budget:
                    near.add(i)
                    break
    return _single(near)


def _match_index(text: str, options: Sequence[ChoiceOption], *, contained: bool = True) -> int | None:
    normalized = normalize(text)
    if not normalized or not options:
        return None
    number = _option_number(normalized, len(options))
    if number is not None:
        return number - 1
    keys = [option.keys() for option in options]
    for step in (_match_exact, _match_contained if contained else None, _match_typo):
        if step is None:
            continue
        index = step(normalized, keys)
        if index is not None:
            return index
    return None


def match_choice(text: str, options: Sequence[ChoiceOption]) -> str | None:
    """Return the code of the one option the reply designates, or None."""
    index = _match_index(text, options)
    return None if index is None else options[index].code


# --- multiple choice -------------------------------------------------------------------

# '*' too: a USSD keypad has no comma, and many cannot type a space ("1*3").
_HARD_SEPARATORS = re.compile(r"\s*[,;/+&*]\s*")
_WORD_SEPARATORS = re.compile(r"\s+(?:et|and)\s+")


def _match_chunk(chunk: str, options: Sequence[ChoiceOption]) -> list[int] | None:
    chunk = normalize(chunk)
    if not chunk:
        return []
    whole = _match_index(chunk, options, contained=False)
    if whole is not None:
        return [whole]
    pieces = [piece for piece in _WORD_SEPARATORS.split(chunk) if piece]
    if len(pieces) > 1:
        found: list[int] = []
        for piece in pieces:
            indexes = _match_chunk(piece, options)
            if not indexes:
                return None
            found.extend(indexes)
        return found
    contained = _match_index(chunk, options)
    if contained is not None:
        return [contained]
    tokens = chunk.split()
    if len(tokens) < 2:
        return None
    found = []
    for token in tokens:
        index = _match_index(token, options, contained=False)
        if index is None:
            return None
        found.append(index)
    return found


def match_multi_choice(text: str, options: Sequence[ChoiceOption]) -> tuple[str, ...] | None:
    """Return the codes of every option named in the reply, in option order, or None."""
    found: set[int] = set()
    for chunk in _HARD_SEPARATORS.split(normalize(text)):
        indexes = _match_chunk(chunk, options)
        if indexes is None:
            return None
        found.update(indexes)
    if not found:
        return None
    return tuple(options[i].code for i in sorted(found))


# --- yes / no --------------------------------------------------------------------------

_YES_ALIASES = ("oui", "o", "ouais", "yes", "y", "yeah", "si")
_NO_ALIASES = ("non", "n", "no", "nope")


def parse_yes_no(text: str, extra_yes: Sequence[str] = (), extra_no: Sequence[str] = ()) -> str | None:
    """Return 'yes' or 'no' for the reply (1 is yes, 2 is no), or None."""
    options = (
        ChoiceOption("yes", (*_YES_ALIASES, *extra_yes)),
        ChoiceOption("no", (*_NO_ALIASES, *extra_no)),
    )
    return match_choice(text, options)


# --- numbers ---------------------------------------------------------------------------

SUPPORTED_UNITS = frozenset({"minutes"})
_SIGNS = ("-", "+", "\u2212")  # U+2212 is the typographic minus sign

_NUMBER_WORDS = {
    "zero": 0,
    "un": 1, "une": 1, "one": 1,
    "deux": 2, "two": 2,
    "trois": 3, "three": 3,
    "quatre": 4, "four": 4,
    "cinq": 5, "five": 5,
    "six": 6,
    "sept": 7, "seven": 7,
    "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9,
    "dix": 10, "ten": 10,
}  # fmt: skip
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")

# A number: plain digits with an optional decimal part, or digits grouped by thousands
# with a space (normal, no-break or thin: French writes "1 000").
_NUM = r"(?:\d{1,3}(?: \d{3})+|\d+)(?:[.,]\d+)?"
_PLAIN_RE = re.compile(rf"(?P<num>{_NUM})(?: ?(?P<word>[a-z]+))?")

_HOURS = r"(?:h|hr|hrs|heure|heures|hour|hours)"
_MINUTES = r"(?:m|min|mins|mn|minute|minutes)"
_DURATION_RES = (
    re.compile(rf"(?P<m>{_NUM}) ?{_MINUTES}?"),
    re.compile(rf"(?P<h>{_NUM}) ?{_HOURS}(?: ?(?:et|and)? ?(?P<hm>\d{{1,2}}) ?{_MINUTES}?)?"),
    re.compile(rf"(?P<h>\d+) ?{_HOURS} ?(?:et|and) ?(?:a )?(?P<half>demie|demi|half)"),
    re.compile(r"(?:1 )?(?P<half>demi)[- ]?heure|(?P<half2>half) an hour|(?P<an>an?) hour"),
)


def _clean_number_text(text: str) -> str:
    # normalize() folds no-break, narrow no-break and thin spaces (thousands separators
    # in French) to one plain space.
    text = normalize(text)
    text = _NUMBER_WORD_RE.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), text)
    return text


def _to_decimal(token: str) -> Decimal | None:
    token = token.replace(" ", "")
    integer, sep, fraction = token.replace(",", ".").partition(".")
    # "1,250" or "1.250": thousands in one convention, a decimal in the other. Refuse
    # rather than be off by a factor of 1000; "0,250" and "12,5" are not ambiguous.
    if sep and len(fraction) == 3 and integer.lstrip("0") and len(integer) <= 3:
        return None
    try:
        return Decimal(token.replace(",", "."))
    except InvalidOperation:
        return None


def _as_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _parse_minutes(text: str) -> Decimal | None:
    for pattern in _DURATION_RES:
        match = pattern.fullmatch(text)
        if not match:
            continue
        groups = match.groupdict()
        if groups.get("half") or groups.get("half2"):
            hours = Decimal(groups.get("h") or 0)
            return hours * 60 + 30
        if groups.get("an"):
            return Decimal(60)
        if groups.get("m") is not None:
            return _to_decimal(groups["m"])
        hours = _to_decimal(groups["h"])
        if hours is None:
            return None
        if groups.get("hm") is None:
            return hours * 60
        minutes = int(groups["hm"])
        # "1h30" but not "1.5h30" or "1h75".
        if hours != hours.to_integral_value() or minutes >= 60:
            return None
        return hours * 60 + minutes
    return None


def parse_number(text: str, unit: str | None = None) -> int | float | None:
    """Return the number in the reply (in minutes when unit='minutes'), or None."""
    if unit is not None and unit not in SUPPORTED_UNITS:
        raise ValueError(f"unknown unit {unit!r}: expected None or one of {sorted(SUPPORTED_UNITS)}")
    # normalize() trims a leading '-' as punctuation, so take the sign first.
    stripped = text.strip()
    sign = ""
    if stripped[:1] in _SIGNS:
        sign, stripped = stripped[0], stripped[1:].lstrip()
        if stripped[:1] in _SIGNS:
            return None
    cleaned = _clean_number_text(stripped)
    if not cleaned:
        return None
    if unit == "minutes":
        if sign:
            return None
        value = _parse_minutes(cleaned)
    else:
        match = _PLAIN_RE.fullmatch(cleaned)
        if not match:
            return None
        value = _to_decimal(match.group("num"))
        if value is not None and sign in ("-", "\u2212"):
            value = -value
    return None if value is None else _as_number(value)


# --- global commands -------------------------------------------------------------------

# The keywords Twilio itself treats as opt-out / opt-in / help on long codes (Advanced
# Opt-Out), plus their French equivalents. "YES" is an opt-in word for Twilio but here it
# answers yes/no questions, so it is not a start command. "0" is not "back": a number
# question may expect 0.
_GLOBAL_COMMANDS = {
    "stop": ("stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "arret"),
    "help": ("aide", "help"),
    "back": ("retour", "back", "precedent"),
}
_GLOBAL_BY_WORD = {word: command for command, words in _GLOBAL_COMMANDS.items() for word in words}
_START_WORDS = frozenset({"start", "debut", "unstop"})


def match_global_command(text: str) -> str | None:
    """Return 'stop', 'help' or 'back' when the whole message is that command, else None."""
    stripped = text.strip()
    if stripped and set(stripped) == {"?"}:
        return "help"
    return _GLOBAL_BY_WORD.get(normalize(text))


def match_start_command(text: str) -> bool:
    """Return True when the whole message asks to (re)start: START, DEBUT, UNSTOP."""
    return normalize(text) in _START_WORDS
