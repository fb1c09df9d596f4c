"""Render engine events as plain text messages: numbered menus for SMS and the terminal."""

from __future__ import annotations

from flows.events import Ask, Event, Say


def render_ask(ask: Ask, numbered: bool = True) -> str:
    """One question as text: the re-prompt if any, the prompt, then '1 Label' per option."""
    lines = [ask.error] if ask.error else []
    lines.append(ask.text)
    if numbered:
        lines += [f"{i} {label}" for i, (_, label) in enumerate(ask.options, 1)]
    if ask.hint:
        lines.append(ask.hint)
    return "\n".join(lines)


def render_messages(events: list[Event]) -> list[str]:
    """The messages to send for a step's events, in order."""
    out = []
    for event in events:
        if isinstance(event, Say) and event.text:
            out.append(event.text)
        elif isinstance(event, Ask):
            out.append(render_ask(event))
    return out
