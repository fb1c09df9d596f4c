"""Fit a rendered message into the SMS segment budget: every word kept, in as many messages as it takes.

The budget (`SMS_MAX_SEGMENTS`) caps what one message may cost. A message over it is
1. rewritten with close GSM-7 characters (’ -> ', ç -> c) when that costs fewer segments,
   since one character outside GSM-7 makes the whole message UCS-2 (70/67 instead of 160/153);
2. then, if still too long, cut between lines (a question's prompt, its numbered choices),
   between words inside an overlong line, and between characters inside an overlong word.
Nothing is dropped: a citizen must see every choice of a question to answer it.
Carriers may deliver separate messages out of order, so a cut falls between whole lines.
"""

from __future__ import annotations

from palabre.sms_segments import GSM7_BASIC, GSM7_EXTENSION, GSM7_SINGLE, UCS2_SINGLE, count_segments, to_gsm_friendly

_GSM = GSM7_BASIC | GSM7_EXTENSION


def fit_to_segments(text: str, max_segments: int) -> list[str]:
    """The text as one or more messages of at most `max_segments` segments each."""
    budget = max(1, max_segments)
    if _one_segment(text):  # the usual case, decided without counting character by character
        return [text]
    cost = count_segments(text)
    if cost.encoding != "GSM-7":
        friendly = to_gsm_friendly(text)
        if count_segments(friendly).segments < cost.segments:
            text, cost = friendly, count_segments(friendly)
    if cost.segments <= budget:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, budget):
        candidate = f"{current}\n{piece}" if current else piece
        if _fits(candidate, budget):
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def fit_all(texts: list[str], max_segments: int) -> list[str]:
    """Every message fitted to the budget, in order."""
    return [part for text in texts for part in fit_to_segments(text, max_segments)]


def _one_segment(text: str) -> bool:
    """Whether the text surely fits one SMS: 70 UTF-16 units fit in any encoding, 160 GSM-7 septets in GSM-7."""
    if len(text) <= UCS2_SINGLE and text.isascii():
        return True
    if not _GSM.issuperset(text):
        return len(text.encode("utf-16-le")) // 2 <= UCS2_SINGLE
    return len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION) <= GSM7_SINGLE


def _fits(text: str, budget: int) -> bool:
    return count_segments(text).segments <= budget


def _pieces(text: str, budget: int) -> list[str]:
    """Lines that each fit the budget: overlong lines cut between words, overlong words cut."""
    pieces = []
    for line in text.split("\n"):
        if _fits(line, budget):
            pieces.append(line)
            continue
        current = ""
        for word in line.split(" "):
            candidate = f"{current} {word}" if current else word
            if _fits(candidate, budget):
                current = candidate
                continue
            if current:
                pieces.append(current)
            current = word
            while not _fits(current, budget):
                cut = _longest_prefix(current, budget)
                pieces.append(current[:cut])
                current = current[cut:]
        if current:
            pieces.append(current)
    return pieces


def _longest_prefix(word: str, budget: int) -> int:
    """The length of the longest prefix of `word` that fits (at least one character)."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(word[:middle], budget):
            low = middle
        else:
            high = middle - 1
    return low
