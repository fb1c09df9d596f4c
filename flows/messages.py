"""The engine's own words, in French and English; a flow may override any of them under `messages`."""

from __future__ import annotations

from flows.model import Flow

# Written in proper French: é è à ù É are in GSM-7, so these still fit one 160-character SMS;
# ç ê â î ô û ’ « » are not (they would make an SMS UCS-2), so they are avoided here, and
# the SMS channel rewrites them when a flow's own wording uses them (bots/sms_split.py).
BUILTIN: dict[str, dict[str, str]] = {
    "invalid_choice": {
        "fr": "Réponse non comprise. Répondez par un numéro de 1 à {count}.",
        "en": "Sorry, we did not understand. Reply with a number from 1 to {count}.",
    },
    "invalid_multi": {
        "fr": "Réponse non comprise. Envoyez un ou plusieurs numéros séparés par un espace, par ex. 1 3.",
        "en": "Sorry, we did not understand. Send one or more numbers separated by spaces, e.g. 1 3.",
    },
    "invalid_number": {
        "fr": "Réponse non comprise. Répondez par un nombre, par ex. {example}.",
        "en": "Sorry, we did not understand. Reply with a number, e.g. {example}.",
    },
    "invalid_integer": {
        "fr": "Répondez par un nombre entier, par ex. {example}.",
        "en": "Please reply with a whole number, e.g. {example}.",
    },
    "number_range": {
        "fr": "Répondez par un nombre entre {min} et {max}.",
        "en": "Please reply with a number between {min} and {max}.",
    },
    "invalid_yes_no": {
        "fr": "Répondez 1 pour Oui ou 2 pour Non.",
        "en": "Reply 1 for Yes or 2 for No.",
    },
    "invalid_text": {
        "fr": "Écrivez votre réponse en quelques mots.",
        "en": "Please write your answer in a few words.",
    },
    # {candidates}: "3 Smartphone sans internet ou 4 Smartphone avec internet".
    "ambiguous": {
        "fr": "Vous voulez dire {candidates} ? Répondez par le numéro.",
        "en": "Did you mean {candidates}? Reply with the number.",
    },
    # Sent with the next message when an answer was read through a typo or a sentence.
    "understood": {
        "fr": "Compris : {answer} (RETOUR pour corriger)",
        "en": "Understood: {answer} (BACK to change it)",
    },
    "required": {
        "fr": "Cette question demande une réponse.",
        "en": "This question needs an answer.",
    },
    "optional_hint": {
        "fr": "(PASSER pour ne pas répondre)",
        "en": "(SKIP to leave it blank)",
    },
    "help_choice": {
        "fr": "Répondez par le numéro de votre choix.",
        "en": "Reply with the number of your choice.",
    },
    "help_number": {
        "fr": "Répondez par un nombre.",
        "en": "Reply with a number.",
    },
    "help_text": {
        "fr": "Écrivez votre réponse en quelques mots.",
        "en": "Write your answer in a few words.",
    },
    "help": {
        "fr": "RETOUR : question précédente. STOP : ne plus recevoir de messages.",
        "en": "BACK: previous question. STOP: no more messages.",
    },
    "opted_out": {
        "fr": "Vous ne recevrez plus de messages de notre part. Envoyez START pour revenir.",
        "en": "You will receive no more messages from us. Send START to come back.",
    },
    "opted_in": {
        "fr": "Bon retour ! Reprenons.",
        "en": "Welcome back! Let us continue.",
    },
    "back_first": {
        "fr": "C'est la première question.",
        "en": "This is the first question.",
    },
    "skipped": {
        "fr": "Réponse non comprise, passons à la suite.",
        "en": "We could not understand that answer; let us move on.",
    },
    "resumed": {
        "fr": "Reprise là où vous en étiez.",
        "en": "Picking up where you left off.",
    },
    # Sent first, by `invite`: {title} is the flow's title, {keyword} the word that starts it.
    "invitation": {
        "fr": "{title} : la mairie vous consulte. Répondez {keyword} pour commencer. STOP pour ne plus recevoir de messages.",
        "en": "{title}: the city is asking for your views. Reply {keyword} to start. STOP to receive no more messages.",
    },
    # Sent once by `remind` to a conversation left mid-way, followed by the question it stopped at.
    "reminder": {
        "fr": "Rappel : il ne reste que quelques questions.",
        "en": "Reminder: only a few questions are left.",
    },
}

# Joins the candidates of an ambiguous answer: "3 ... ou 4 ...".
OR = {"fr": "ou", "en": "or"}

YES_NO_LABELS = {
    "fr": (("yes", "Oui"), ("no", "Non")),
    "en": (("yes", "Yes"), ("no", "No")),
}


def message(flow: Flow, key: str, language: str, **values: object) -> str:
    """The text of an engine message in a language, formatted with values."""
    texts = flow.messages.get(key) or BUILTIN[key]
    text = texts.get(language) or texts.get(flow.default_language) or BUILTIN[key].get(language) or BUILTIN[key]["en"]
    return text.format(**values) if values else text


def either(language: str, items: list[str]) -> str:
    """Items joined as alternatives in a language: 'a, b ou c'."""
    word = OR.get(language, "/")
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def yes_no_labels(language: str) -> tuple[tuple[str, str], ...]:
    """The (code, label) pairs of a yes/no question in a language."""
    return YES_NO_LABELS.get(language, YES_NO_LABELS["en"])
