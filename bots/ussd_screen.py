"""Render engine events as USSD screens: ASCII only, at most 182 characters, long menus paged.

A question's choices are split into pages from the question alone (its prompt, hint and
choices), never from what else the screen says, so the pager can redraw any page later
without knowing which notices came with the first one:

    Dans quel arrondissement ?        <- page 0: the question
    1 Plateau                         <- choices keep their numbers on every page
    ...
    6 Koumassi
    98 Suite                          <- next page ('98', bots/ussd_pager.py)

    Dans quel arrondissement ?        <- page 1: the question again, cut short
    7 Marcory
    ...
    0 Retour                          <- previous page
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

from bots.ussd_pager import BACK, MORE
from flows.events import Ask, Event, Say

# Africa's Talking shows about 182 characters a screen; telcos mangle anything beyond ASCII.
SCREEN_CHARS = 182
# With these caps a page always holds the question, one choice and both pager keys:
# 100 + 1 + ("97 " + 50) + 1 + len("98 Suite/More") + 1 + len("0 Retour/Back") = 182.
LABEL_CHARS = 50
PAGED_PROMPT_CHARS = 100
CONTINUED_PROMPT_CHARS = 40  # later pages recall the question in this much
MIN_PROMPT_CHARS = 20  # a question cut shorter than this is left out instead
NAV_LABELS = {"fr": ("Suite", "Retour"), "en": ("More", "Back")}
BILINGUAL_NAV = ("Suite/More", "Retour/Back")
# Notices that answer what the citizen just did: they win over a long question, which is cut to
# make room. Other notices (the intro) show only when they fit beside the whole question.
URGENT = frozenset({"resumed", "opted_in", "help", "skipped", "back_first"})


@dataclass(frozen=True)
class Screen:
    """One USSD screen: its text, whether it ends the session, and the menu page it shows."""

    text: str
    end: bool = False
    page: int = 0


def to_ascii(text: str) -> str:
    """Drop accents and any character a USSD gateway could mangle."""
    text = text.replace("’", "'").replace("«", '"').replace("»", '"').replace("œ", "oe").replace("Œ", "OE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isprintable() or ch == "\n"))


def screen_for(events: Sequence[Event], language: str | None, finished: bool) -> Screen:
    """The screen answering a step: the first page of the question asked, or the last words."""
    asks = [e for e in events if isinstance(e, Ask)]
    return Screen(render_screen(events, language), end=finished or not asks)


def render_screen(events: Sequence[Event], language: str | None = None, page: int = 0) -> str:
    """The text of one screen: a page of the question asked (with the step's notices), or the notices alone."""
    asks = [e for e in events if isinstance(e, Ask)]
    says = [e for e in events if isinstance(e, Say) and e.text]
    if not asks:
        return _cut("\n".join(to_ascii(s.text) for s in says), SCREEN_CHARS)
    return render_page(asks[-1], page, language, says)


def page_count(ask: Ask, language: str | None) -> int:
    """How many pages a question's menu takes."""
    return len(menu_pages(ask, language))


def menu_pages(ask: Ask, language: str | None) -> list[list[str]]:
    """A question's numbered choice lines, split into pages that each fit one screen with their keys."""
    lines = [f"{i} {_cut(to_ascii(label), LABEL_CHARS)}" for i, (_, label) in enumerate(ask.options, 1)]
    if not lines or _length([_prompt(ask), *lines]) <= SCREEN_CHARS:
        return [lines]
    more, back = _keys(language)
    pages: list[list[str]] = []
    start = 0
    while start < len(lines):
        head = _cut(_prompt(ask), PAGED_PROMPT_CHARS) if not pages else _continued(ask)
        earlier = [back] if pages else []
        if _length([head, *lines[start:], *earlier]) <= SCREEN_CHARS:
            pages.append(lines[start:])
            break
        end = start + 1  # the caps above guarantee one choice fits
        while end < len(lines) and _length([head, *lines[start:end + 1], more, *earlier]) <= SCREEN_CHARS:
            end += 1
        pages.append(lines[start:end])
        start = end
    return pages


def render_page(ask: Ask, page: int, language: str | None, notices: Sequence[Say] = ()) -> str:
    """One page of a question: notices and question on the first, then its choices and the pager keys."""
    pages = menu_pages(ask, language)
    page = max(0, min(page, len(pages) - 1))
    more, back = _keys(language)
    keys = ([more] if page + 1 < len(pages) else []) + ([back] if page > 0 else [])
    body = "\n".join(pages[page] + keys)
    if page > 0:
        return _continued(ask) + "\n" + body
    room = SCREEN_CHARS - (len(body) + 1 if body else 0)
    header = _header(_prompt(ask), notices, ask.error, room)
    return header + ("\n" + body if body else "")


def _header(prompt: str, notices: Sequence[Say], error: str | None, room: int) -> str:
    """The notices, the re-prompt and the question, fitted into `room` characters."""
    urgent = [to_ascii(n.text) for n in notices if n.key in URGENT] + ([to_ascii(error)] if error else [])
    context = [to_ascii(n.text) for n in notices if n.key not in URGENT]
    whole = _length([*context, *urgent, prompt])
    if whole <= room:
        return "\n".join([*context, *urgent, prompt])
    # What answers the citizen's last input first; then the question, cut to what is left, or left
    # out when only a stub would fit (it was on the screen just before, except after 'resumed').
    told = _cut("\n".join(urgent), room)
    left = room - (len(told) + 1 if told else 0)
    question = prompt if len(prompt) <= left else _cut(prompt, left) if left >= MIN_PROMPT_CHARS else ""
    left -= len(question)
    kept: list[str] = []
    for line in reversed(context):  # the newest context that still fits beside the whole question
        if len(line) + 1 <= left:
            kept.insert(0, line)
            left -= len(line) + 1
    return "\n".join(line for line in [*kept, told, question] if line)


def _prompt(ask: Ask) -> str:
    return to_ascii(ask.text + (f"\n{ask.hint}" if ask.hint else ""))


def _continued(ask: Ask) -> str:
    return _cut(to_ascii(ask.text), CONTINUED_PROMPT_CHARS)


def _keys(language: str | None) -> tuple[str, str]:
    more, back = NAV_LABELS.get(language or "", BILINGUAL_NAV)
    return f"{MORE} {more}", f"{BACK} {back}"


def _length(lines: Sequence[str]) -> int:
    return len("\n".join(lines))


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit <= 3:
        return text[:max(limit, 0)]
    return text[: limit - 3].rstrip() + "..."
