"""Render engine events as one USSD screen: ASCII only, at most 182 characters."""

from __future__ import annotations

import unicodedata

from bots.text import render_ask
from flows.events import Ask, Event, Say

# Africa's Talking shows about 182 characters a screen; telcos mangle anything beyond ASCII.
SCREEN_CHARS = 182


def to_ascii(text: str) -> str:
    """Drop accents and any character a USSD gateway could mangle."""
    text = text.replace("’", "'").replace("«", '"').replace("»", '"').replace("œ", "oe")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isprintable() or ch == "\n"))


def render_screen(events: list[Event]) -> str:
    """The text of one screen: the question (with any re-prompt) first, then as much context as fits."""
    asks = [e for e in events if isinstance(e, Ask)]
    says = [to_ascii(e.text) for e in events if isinstance(e, Say) and e.text]
    if not asks:
        return _fit("\n".join(says))
    question = to_ascii(render_ask(asks[-1]))
    for count in range(len(says), 0, -1):  # keep the latest notices that still fit with the question
        candidate = "\n".join(says[-count:] + [question])
        if len(candidate) <= SCREEN_CHARS:
            return candidate
    return _fit(question)


def _fit(text: str) -> str:
    return text if len(text) <= SCREEN_CHARS else text[: SCREEN_CHARS - 3].rstrip() + "..."
