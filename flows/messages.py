"""The engine's own words, in French and English; a flow may override any of them under `messages`."""

from __future__ import annotations

from flows.model import Flow

# Kept inside GSM-7 (no ç ê â î ô û ’ « ») so that each fits one 160-character SMS.
BUILTIN: dict[str, dict[str, str]] = {
    "invalid_choice": {
        "fr": "Reponse non comprise. Repondez par un numero de 1 a {count}.",
        "en": "Sorry, we did not understand. Reply with a number from 1 to {count}.",
    },
    "invalid_multi": {
        "fr": "Reponse non comprise. Envoyez un ou plusieurs numeros separes par un espace, par ex. 1 3.",
        "en": "Sorry, we did not understand. Send one or more numbers separated by spaces, e.g. 1 3.",
    },
    "invalid_number": {
        "fr": "Reponse non comprise. Repondez par un nombre, par ex. {example}.",
        "en": "Sorry, we did not understand. Reply with a number, e.g. {example}.",
    },
    "invalid_integer": {
        "fr": "Repondez par un nombre entier, par ex. {example}.",
        "en": "Please reply with a whole number, e.g. {example}.",
    },
    "number_range": {
        "fr": "Repondez par un nombre entre {min} et {max}.",
        "en": "Please reply with a number between {min} and {max}.",
    },
    "invalid_yes_no": {
        "fr": "Repondez 1 pour Oui ou 2 pour Non.",
        "en": "Reply 1 for Yes or 2 for No.",
    },
    "invalid_text": {
        "fr": "Ecrivez votre reponse en quelques mots.",
        "en": "Please write your answer in a few words.",
    },
    "optional_hint": {
        "fr": "(PASSER pour ne pas repondre)",
        "en": "(SKIP to leave it blank)",
    },
    "help_choice": {
        "fr": "Repondez par le numero de votre choix.",
        "en": "Reply with the number of your choice.",
    },
    "help_number": {
        "fr": "Repondez par un nombre.",
        "en": "Reply with a number.",
    },
    "help_text": {
        "fr": "Ecrivez votre reponse en quelques mots.",
        "en": "Write your answer in a few words.",
    },
    "help": {
        "fr": "RETOUR: question precedente. STOP: ne plus recevoir de messages.",
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
        "fr": "C'est la premiere question.",
        "en": "This is the first question.",
    },
    "skipped": {
        "fr": "Reponse non comprise, passons a la suite.",
        "en": "We could not understand that answer; let us move on.",
    },
    "resumed": {
        "fr": "Reprise la ou vous en etiez.",
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

YES_NO_LABELS = {
    "fr": (("yes", "Oui"), ("no", "Non")),
    "en": (("yes", "Yes"), ("no", "No")),
}


def message(flow: Flow, key: str, language: str, **values: object) -> str:
    """The text of an engine message in a language, formatted with values."""
    texts = flow.messages.get(key) or BUILTIN[key]
    text = texts.get(language) or texts.get(flow.default_language) or BUILTIN[key].get(language) or BUILTIN[key]["en"]
    return text.format(**values) if values else text


def yes_no_labels(language: str) -> tuple[tuple[str, str], ...]:
    """The (code, label) pairs of a yes/no question in a language."""
    return YES_NO_LABELS.get(language, YES_NO_LABELS["en"])
