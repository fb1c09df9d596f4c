"""Words for the values and dimensions of a profile, in every language of the flow."""

from __future__ import annotations

from typing import Any

from flows.model import Dimension, Flow

CHANNEL_NAMES = {"sms": "SMS", "ussd": "USSD", "telegram": "Telegram", "chat": "Chat", "paper": "Paper"}
NO_ANSWER = {"fr": "sans réponse", "en": "no answer", "es": "sin respuesta", "pt": "sem resposta"}


def value_label(flow: Flow, group: str, value: Any) -> dict[str, str]:
    """A group value in each language: a choice's label, a band, a channel or language name."""
    if value is None:
        return {lang: NO_ANSWER.get(lang, NO_ANSWER["en"]) for lang in flow.languages}
    question = next((q for q in flow.questions if q.id == group), None)
    if group == "language" and question is None:
        question = next((q for q in flow.questions if q.type == "language"), None)
    if question is not None and question.choices:
        choice = question.choice(str(value))
        if choice is not None:
            return {lang: choice.label.get(lang) or _first(choice.label, str(value)) for lang in flow.languages}
    if question is not None and question.bands:  # "age 60+" rather than a bare "60+"
        return {lang: f"{group.replace('_', ' ')} {value}" for lang in flow.languages}
    if group == "channel":
        return {lang: CHANNEL_NAMES.get(str(value), str(value)) for lang in flow.languages}
    return {lang: str(value) for lang in flow.languages}


def values_label(flow: Flow, groups: list[str], values: list) -> dict[str, str]:
    """The label of a cross of groups: each value's label, joined."""
    parts = [value_label(flow, group, value) for group, value in zip(groups, values)]
    return {lang: ", ".join(part[lang] for part in parts) for lang in flow.languages}


def dimension_label(dimension: Dimension, lang: str) -> str:
    """A dimension's label in a language, else its id."""
    if dimension.label:
        return dimension.label.get(lang) or _first(dimension.label, dimension.id)
    return dimension.id.replace("_", " ")


def _first(text, fallback: str) -> str:
    return next(iter(text.values()), fallback) if text else fallback
