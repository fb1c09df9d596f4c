"""Render engine events as plain text messages: numbered menus for SMS and the terminal."""

from __future__ import annotations

from typing import Callable

from flows.events import Ask, Event, Say

# Says that open the next message rather than cost an SMS of their own.
LEADING_KEYS = frozenset({"understood"})
# Says whose text is the flow's own; every other Say, re-prompt and hint is the engine's.
FLOW_TEXT_KEYS = frozenset({"intro", "end", "declined"})


def _same(text: str) -> str:
    return text


def render_ask(ask: Ask, numbered: bool = True, system: Callable[[str], str] = _same) -> str:
    """One question as text: the re-prompt if any, the prompt, then '1 Label' per option."""
    lines = [system(ask.error)] if ask.error else []
    lines.append(ask.text)
    if numbered:
        lines += [f"{i} {label}" for i, (_, label) in enumerate(ask.options, 1)]
    if ask.hint:
        lines.append(system(ask.hint))
    return "\n".join(lines)


def render_messages(events: list[Event], system: Callable[[str], str] = _same) -> list[str]:
    """The messages to send for a step's events, in order; `system` rewrites the engine's own words."""
    out = []
    leading: list[str] = []
    for event in events:
        if isinstance(event, Say) and event.text:
            text = event.text if event.key in FLOW_TEXT_KEYS else system(event.text)
            if event.key in LEADING_KEYS:
                leading.append(text)
                continue
            out.append("\n".join([*leading, text]))
            leading = []
        elif isinstance(event, Ask):
            out.append("\n".join([*leading, render_ask(event, numbered=event.listed, system=system)]))
            leading = []
    return out + (["\n".join(leading)] if leading else [])
