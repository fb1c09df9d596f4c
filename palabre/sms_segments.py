"""Count how many SMS parts a text costs, and suggest a GSM-7 rewrite when it forces UCS-2.

Facts this module depends on (3GPP TS 23.038, formerly GSM 03.38, and TS 23.040):
- A single SMS carries 140 octets: 160 GSM-7 septets, or 70 UCS-2 (UTF-16) code units.
- A concatenated ("long") SMS spends 6 octets of each part on the UDH that numbers the
  parts, leaving 153 septets or 67 UTF-16 code units per part.
- Characters of the GSM-7 extension table are sent as ESC + character: 2 septets each.
  An escape pair is never split across two parts; a part ends one septet short instead.
- One character outside GSM-7 (basic or extension) switches the whole message to UCS-2.
  A character outside the Basic Multilingual Plane (most emoji) takes a surrogate pair:
  2 code units, which are likewise never split across two parts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = [
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "SegmentCount",
    "count_segments",
    "non_gsm_characters",
    "to_gsm_friendly",
]

# The GSM-7 default alphabet, row by row as in 3GPP TS 23.038 section 6.2.1 (code 0x00 to
# 0x7F). 0x1B is ESC, the escape to the extension table, not a character of its own.
# 0x09 is the capital Ç: lowercase ç is NOT in the table (some gateways silently send
# Ç for it).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ" "ÆæßÉ"  # 0x1B (ESC) sits between Ξ and Æ
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)

# The extension table (3GPP TS 23.038 section 6.2.1.1): form feed ^ { } \ [ ~ ] | €.
# Each costs 2 septets (ESC + code).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160  # septets in a single SMS
GSM7_PART = 153  # septets per part of a concatenated SMS
UCS2_SINGLE = 70  # UTF-16 code units in a single SMS
UCS2_PART = 67  # UTF-16 code units per part of a concatenated SMS


@dataclass(frozen=True)
class SegmentCount:
    """What a text costs: its encoding, size in units, parts, and room left in the last part."""

    encoding: str  # 'GSM-7' or 'UCS-2'
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of one part in units: 160/153 (GSM-7) or 70/67 (UCS-2)
    chars_left: int  # units still free in the last part


def _gsm_cost(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _utf16_cost(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _is_gsm(ch: str) -> bool:
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def count_segments(text: str) -> SegmentCount:
    """Return the encoding and number of SMS parts the text needs.

    An empty text counts as one GSM-7 part: a message is still sent and billed.
    """
    if all(_is_gsm(ch) for ch in text):
        encoding, single, part, cost = "GSM-7", GSM7_SINGLE, GSM7_PART, _gsm_cost
    else:
        encoding, single, part, cost = "UCS-2", UCS2_SINGLE, UCS2_PART, _utf16_cost
    costs = [cost(ch) for ch in text]
    units = sum(costs)
    if units <= single:
        return SegmentCount(encoding, units, 1, single, single - units)
    # Fill parts character by character so that a 2-unit character (escape pair or
    # surrogate pair) that does not fit moves whole to the next part.
    segments, used = 1, 0
    for c in costs:
        if used + c > part:
            segments, used = segments + 1, 0
        used += c
    return SegmentCount(encoding, units, segments, part, part - used)


def non_gsm_characters(text: str) -> list[str]:
    """Return the characters that force UCS-2, each once, in order of first appearance."""
    return list(dict.fromkeys(ch for ch in text if not _is_gsm(ch)))


# Replacements for common characters outside GSM-7 in French and English text. Anything
# not listed falls back to its accent-stripped form when that is GSM-7 (ê -> e, È -> E).
_FRIENDLY = {
    "\u2019": "'", "\u2018": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2039": "'", "\u203a": "'",
    "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\t": " ",
    "\u0153": "oe", "\u0152": "OE",
    "\u00e7": "c",  # ç: lowercase is not GSM-7; "c" reads better than "Ç" mid-word
    "\u2022": "-", "\u00b0": "o",
}  # fmt: skip


def _friendly(ch: str) -> str:
    if _is_gsm(ch):
        return ch
    if ch in _FRIENDLY:
        return _FRIENDLY[ch]
    stripped = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if stripped and all(_is_gsm(c) for c in stripped):
        return stripped
    return ch


def to_gsm_friendly(text: str) -> str:
    """Return the text with characters outside GSM-7 replaced by close GSM-7 ones where possible.

    GSM-7 accented letters (é è à ù É Ç ...) are kept; characters with no close
    equivalent (emoji, most non-Latin scripts) are kept too, so the result may still
    need UCS-2: check it with non_gsm_characters().
    """
    return "".join(_friendly(ch) for ch in text)
