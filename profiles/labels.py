"""Words for the values and dimensions of a profile, in every language of the flow."""

from __future__ import annotations

from typing import Any

from flows.model import Dimension, Flow, Indicator
from flows.page_labels import question_label

CHANNEL_NAMES = {"sms": "SMS", "ussd": "USSD", "whatsapp": "WhatsApp", "telegram": "Telegram", "voice": "Voice", "chat": "Chat", "paper": "Paper", "assisted": "Assisted"}
# Channels named by a word rather than a brand: in the page's language where it has one.
CHANNEL_WORDS = {"voice": {"fr": "Appel", "en": "Voice call"}}
# Each language by its own name, as a reader of that language writes it (flows spell them GSM-7 for SMS).
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "pt": "Português", "ar": "العربية", "sw": "Kiswahili"}
NO_ANSWER = {"fr": "sans réponse", "en": "no answer", "es": "sin respuesta", "pt": "sem resposta"}
# The built-in groups, which no question names.
BUILTIN_GROUPS = {
    "channel": {"fr": "Canal", "en": "Channel", "es": "Canal", "pt": "Canal"},
    "language": {"fr": "Langue", "en": "Language", "es": "Idioma", "pt": "Idioma"},
}


def value_label(flow: Flow, group: str, value: Any) -> dict[str, str]:
    """A group value in each language: a choice's label, a band, a channel or language name."""
    if value is None:
        return {lang: NO_ANSWER.get(lang, NO_ANSWER["en"]) for lang in flow.languages}
    question = next((q for q in flow.questions if q.id == group), None)
    if group == "language" and question is None:
        question = next((q for q in flow.questions if q.type == "language"), None)
    if question is not None and question.type == "language" and str(value) in LANGUAGE_NAMES:
        return {lang: LANGUAGE_NAMES[str(value)] for lang in flow.languages}
    if question is not None and question.choices:
        choice = question.choice(str(value))
        if choice is not None:
            return {lang: choice.label.get(lang) or _first(choice.label, str(value)) for lang in flow.languages}
    if question is not None and question.bands:  # "Âge 60+" rather than a bare "60+"
        return {lang: f"{question_label(question, lang)} {value}" for lang in flow.languages}
    if group == "channel":
        words = CHANNEL_WORDS.get(str(value), {})
        return {lang: words.get(lang) or CHANNEL_NAMES.get(str(value), str(value)) for lang in flow.languages}
    return {lang: str(value) for lang in flow.languages}


def values_label(flow: Flow, groups: list[str], values: list) -> dict[str, str]:
    """The label of a cross of groups: each value's label, joined."""
    parts = [value_label(flow, group, value) for group, value in zip(groups, values)]
    return {lang: ", ".join(part[lang] for part in parts) for lang in flow.languages}


def group_label(flow: Flow, group: str, lang: str) -> str:
    """What a grouping variable (or a cross "a|b") is called in a language: "Quartier", "Quartier × Genre"."""
    if "|" in group:
        return " × ".join(group_label(flow, part, lang) for part in group.split("|"))
    question = next((q for q in flow.questions if q.id == group), None)
    if question is not None:
        return question_label(question, lang)
    names = BUILTIN_GROUPS.get(group)
    return names.get(lang, names["en"]) if names else group.replace("_", " ")


# French sets a space before the colon.
COLON = {"fr": " : "}


def titled(variable_label: str, label: str, lang: str) -> str:
    """"Quartier : Nord", or the label alone when it already names its variable ("Âge 60+")."""
    if not variable_label or label.startswith(variable_label):
        return label
    return f"{variable_label}{COLON.get(lang, ': ')}{label}"


def indicator_label(indicator: Indicator, lang: str) -> str:
    """An indicator's label in a language, else its id."""
    if indicator.label:
        return indicator.label.get(lang) or _first(indicator.label, indicator.id)
    return indicator.id.replace("_", " ")


def dimension_label(dimension: Dimension, lang: str) -> str:
    """A dimension's label in a language, else its id."""
    if dimension.label:
        return dimension.label.get(lang) or _first(dimension.label, dimension.id)
    return dimension.id.replace("_", " ")


def _first(text, fallback: str) -> str:
    return next(iter(text.values()), fallback) if text else fallback
