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
    "Reading",
    "SUPPORTED_UNITS",
    "damerau_levenshtein",
    "match_choice",
    "match_global_command",
    "match_multi_choice",
    "match_start_command",
    "normalize",
    "parse_number",
    "parse_yes_no",
    "read_choice",
    "read_multi_choice",
    "read_yes_no",
    "spells_a_number",
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


@dataclass(frozen=True)
class Reading:
    """How a reply was read: the options it names, whether they were guessed, or the options equally close to it."""

    indexes: tuple[int, ...] = ()
    guessed: bool = False  # read through a typo or inside a sentence: say what was understood
    candidates: tuple[int, ...] = ()  # two or more options just as close: ask which one was meant


# Typo tolerance by alias length: short words are too close to each other ("non"/"nom",
# "oui"/"qui") so a substituted or missing letter is refused; an extra or swapped letter
# keeps every letter of the word ("ouii", "nonn", "oiu") and is forgiven.
_TYPO_MIN_LEN = 4
_TYPO_LONG_LEN = 8
_SHORT_LEN = 3

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


def _typo_distance(reply: str, alias: str) -> int | None:
    """The edit distance from the reply to an alias when within its typo budget, else None."""
    budget = _typo_budget(alias)
    if not budget:
        if len(alias) == _SHORT_LEN and len(reply) in (_SHORT_LEN, _SHORT_LEN + 1) and _keeps_letters(reply, alias):
            return 1 if damerau_levenshtein(reply, alias) == 1 else None
        return None
    if abs(len(alias) - len(reply)) > budget:
        return None
    distance = damerau_levenshtein(reply, alias)
    return distance if distance <= budget else None


def _keeps_letters(reply: str, alias: str) -> bool:
    letters = list(reply)
    for ch in alias:
        if ch not in letters:
            return False
        letters.remove(ch)
    return True


def _option_number(normalized: str, count: int) -> int | None:
    # Digits only, once surrounding punctuation is gone: "1", " 1.", "1)", "#1", "(1)".
    if re.fullmatch(r"[0-9]+", normalized):
        n = int(normalized)
        if 1 <= n <= count:
            return n
    return None


def _read(indexes: set[int], guessed: bool = False) -> Reading | None:
    if len(indexes) == 1:
        return Reading(tuple(indexes), guessed)
    return Reading(candidates=tuple(sorted(indexes))) if indexes else None


def _match_exact(normalized: str, keys: list[tuple[str, ...]]) -> Reading | None:
    return _read({i for i, option_keys in enumerate(keys) if normalized in option_keys})


def _match_contained(normalized: str, keys: list[tuple[str, ...]]) -> Reading | None:
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
    indexes = {hit[0] for hit in kept}
    if len(indexes) == 1 and any(hit[3] for hit in kept):
        return Reading(tuple(indexes), guessed=True)
    return None


def _match_typo(normalized: str, keys: list[tuple[str, ...]], labels: list[set[str]]) -> Reading | None:
    # One word may also be a misspelt word of a longer label: "smartfone" is as close to
    # "Smartphone avec internet" as to "Smartphone sans internet", so both are candidates.
    # At the same distance a whole label beats a word of a label ("nrod": Nord, not Nord-Est),
    # and a code (an author's word the citizen never saw) counts as a word.
    single_word = len(_words(normalized)) == 1
    best: dict[int, tuple[int, int]] = {}
    for i, option_keys in enumerate(keys):
        for key in option_keys:
            whole = 0 if key in labels[i] else 1
            targets = [(key, whole)] + ([(word, 1) for word in _words(key)] if single_word else [])
            for target, rank in targets:
                distance = _typo_distance(normalized, target)
                if distance is not None and (distance, rank) < best.get(i, (distance + 1, 0)):
                    best[i] = (distance, rank)
    if not best:
        return None
    nearest = min(best.values())
    return _read({i for i, closeness in best.items() if closeness == nearest}, guessed=True)


def _match_index(text: str, options: Sequence[ChoiceOption], *, contained: bool = True) -> Reading | None:
    normalized = normalize(text)
    if not normalized or not options:
        return None
    number = _option_number(normalized, len(options))
    if number is not None:
        return Reading((number - 1,))
    keys = [option.keys() for option in options]
    ambiguous = None
    for step in (_match_exact, _match_contained if contained else None):
        if step is None:
            continue
        reading = step(normalized, keys)
        if reading is not None and reading.indexes:
            return _check_code_only(normalized, reading, options, keys) if step is _match_exact else reading
        ambiguous = ambiguous or reading
    labels = [{normalize(alias) for alias in option.aliases} for option in options]
    return _match_typo(normalized, keys, labels) or ambiguous


def _check_code_only(normalized: str, reading: Reading, options: Sequence[ChoiceOption],
                     keys: list[tuple[str, ...]]) -> Reading:
    """A reply that is only an option's code (an author's word, never shown) is a guess, ambiguous when
    other options' labels use it: the code 'smartphone' of "Smartphone sans internet" beside "Smartphone avec internet"."""
    index = reading.indexes[0]
    if normalized not in {normalize(alias) for alias in options[index].aliases}:
        others = {i for i, option_keys in enumerate(keys) if i != index
                  and any(normalized in _words(key) for key in option_keys)}
        return Reading(candidates=tuple(sorted({index, *others}))) if others else Reading((index,), guessed=True)
    return reading


def read_choice(text: str, options: Sequence[ChoiceOption]) -> Reading:
    """How the reply reads against the options: one option, or the candidates to ask about, or nothing."""
    return _match_index(text, options) or Reading()


def match_choice(text: str, options: Sequence[ChoiceOption]) -> str | None:
    """Return the code of the one option the reply designates, or None."""
    reading = read_choice(text, options)
    return options[reading.indexes[0]].code if reading.indexes else None


# --- multiple choice -------------------------------------------------------------------

# '*' too: a USSD keypad has no comma, and many cannot type a space ("1*3").
_HARD_SEPARATORS = re.compile(r"\s*[,;/+&*]\s*")
_WORD_SEPARATORS = re.compile(r"\s+(?:et|and)\s+")


def _match_chunk(chunk: str, options: Sequence[ChoiceOption]) -> tuple[list[int], bool] | None:
    """The options a chunk names and whether any was guessed, or None when a part is not understood."""
    chunk = normalize(chunk)
    if not chunk:
        return [], False
    whole = _match_index(chunk, options, contained=False)
    if whole is not None and whole.indexes:
        return list(whole.indexes), whole.guessed
    pieces = [piece for piece in _WORD_SEPARATORS.split(chunk) if piece]
    if len(pieces) > 1:
        found: list[int] = []
        guessed = False
        for piece in pieces:
            read = _match_chunk(piece, options)
            if not read or not read[0]:
                return None
            found.extend(read[0])
            guessed = guessed or read[1]
        return found, guessed
    contained = _match_index(chunk, options)
    if contained is not None and contained.indexes:
        return list(contained.indexes), contained.guessed
    tokens = chunk.split()
    if len(tokens) < 2:
        return None
    found = []
    guessed = False
    for token in tokens:
        reading = _match_index(token, options, contained=False)
        if reading is None or not reading.indexes:
            return None
        found.extend(reading.indexes)
        guessed = guessed or reading.guessed
    return found, guessed


def read_multi_choice(text: str, options: Sequence[ChoiceOption]) -> Reading:
    """Every option named in the reply, in option order, and whether any was guessed; empty when not understood."""
    found: set[int] = set()
    guessed = False
    for chunk in _HARD_SEPARATORS.split(normalize(text)):
        read = _match_chunk(chunk, options)
        if read is None:
            return Reading()
        found.update(read[0])
        guessed = guessed or read[1]
    return Reading(tuple(sorted(found)), guessed) if found else Reading()


def match_multi_choice(text: str, options: Sequence[ChoiceOption]) -> tuple[str, ...] | None:
    """Return the codes of every option named in the reply, in option order, or None."""
    reading = read_multi_choice(text, options)
    return tuple(options[i].code for i in reading.indexes) or None


# --- yes / no --------------------------------------------------------------------------

_YES_ALIASES = ("oui", "o", "ouais", "yes", "y", "yeah", "si")
_NO_ALIASES = ("non", "n", "no", "nope")


def _yes_no_options(extra_yes: Sequence[str], extra_no: Sequence[str]) -> tuple[ChoiceOption, ChoiceOption]:
    return ChoiceOption("yes", (*_YES_ALIASES, *extra_yes)), ChoiceOption("no", (*_NO_ALIASES, *extra_no))


def read_yes_no(text: str, extra_yes: Sequence[str] = (), extra_no: Sequence[str] = ()) -> Reading:
    """How the reply reads as yes (index 0) or no (index 1)."""
    return read_choice(text, _yes_no_options(extra_yes, extra_no))


def parse_yes_no(text: str, extra_yes: Sequence[str] = (), extra_no: Sequence[str] = ()) -> str | None:
    """Return 'yes' or 'no' for the reply (1 is yes, 2 is no), or None."""
    return match_choice(text, _yes_no_options(extra_yes, extra_no))


# --- numbers ---------------------------------------------------------------------------

SUPPORTED_UNITS = frozenset({"minutes"})
_SIGNS = ("-", "+", "\u2212")  # U+2212 is the typographic minus sign

# Numbers spelt in words, in French (with Belgian and Swiss tens) and English, up to the
# thousands: "vingt-cinq", "quatre-vingt-dix-neuf", "soixante et onze", "ninety nine".
_NUMBER_WORDS = {
    "zero": 0, "nought": 0,
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
    "onze": 11, "eleven": 11,
    "douze": 12, "twelve": 12,
    "treize": 13, "thirteen": 13,
    "quatorze": 14, "fourteen": 14,
    "quinze": 15, "fifteen": 15,
    "seize": 16, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "vingt": 20, "vingts": 20, "twenty": 20,
    "trente": 30, "thirty": 30,
    "quarante": 40, "forty": 40, "fourty": 40,
    "cinquante": 50, "fifty": 50,
    "soixante": 60, "sixty": 60,
    "septante": 70, "seventy": 70,
    "huitante": 80, "octante": 80, "eighty": 80,
    "nonante": 90, "ninety": 90,
    "cent": 100, "cents": 100, "hundred": 100,
    "mille": 1000, "thousand": 1000,
}  # fmt: skip
_NUMBER_WORD = "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
# A run of number words joined by spaces or hyphens, with "et"/"and" only between two of them.
_NUMBER_WORDS_RE = re.compile(rf"\b{_NUMBER_WORD}(?:[ -]+(?:(?:et|and)[ -]+)?{_NUMBER_WORD})*\b")
_NUMBER_WORD_SPLIT = re.compile(r"[ -]+")


def _words_value(words: list[str]) -> int | None:
    """The value of a run of number words, or None when they do not spell one number ("deux trois")."""
    total, hundreds, below, last = 0, 0, 0, None
    for value in (_NUMBER_WORDS[w] for w in words if w not in ("et", "and")):
        if value == 1000:
            if total:
                return None
            total, hundreds, below, last = ((hundreds + below) or 1) * 1000, 0, 0, None
        elif value == 100:
            if hundreds or below >= 10:
                return None
            hundreds, below, last = (below or 1) * 100, 0, None
        elif value == 20 and last == 4 and below == 4:  # quatre-vingt(s)
            below, last = 80, 80
        elif last is None:
            below, last = value, value
        elif last == 10 and 7 <= value <= 9:  # dix-sept, soixante-dix-huit
            below, last = below + value, value
        elif last >= 20 and last % 10 == 0 and (value < 10 or (last in (60, 80) and value < 20)):
            below, last = below + value, value  # vingt-cinq, soixante-douze, quatre-vingt-dix
        else:
            return None
    return total + hundreds + below


def _spell_out(match: re.Match) -> str:
    value = _words_value(_NUMBER_WORD_SPLIT.split(match.group()))
    return match.group() if value is None else str(value)


def spells_a_number(text: str) -> bool:
    """Whether the reply gives a number in words ("vingt-cinq", "twenty five")."""
    return _NUMBER_WORDS_RE.search(normalize(text)) is not None


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
    text = _NUMBER_WORDS_RE.sub(_spell_out, text)
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
