"""Render engine events for Telegram: one message per step, choices as inline buttons, a contact button.

Telegram facts this module depends on:
- a message's text is at most 4,096 characters; a button's callback_data at most 64 bytes;
- a message carries one reply_markup: an inline keyboard (buttons under the message, pressing one
  sends us a callback query) or a reply keyboard (buttons instead of the phone's keyboard, pressing
  one sends a message; only a reply keyboard can ask for the user's contact);
- a reply keyboard stays until a message removes it (ReplyKeyboardRemove) or, when one_time, it is used.

Callback data (`verb:ref:value`, value in hex):
    a:<ref>:<n>      answer option n (choice, yes_no, language)
    t:<ref>:<mask>   multi_choice: show the boxes ticked as in mask (bit 0 = option 1)
    d:<ref>:<mask>   multi_choice: answer with the options ticked in mask
where ref is 8 hex characters of SHA-256 over '<flow id>/<question id>': a button pressed on an
earlier question, or in another consultation, names another ref and is not taken as an answer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove

from flows.events import Ask, Event, Say

MAX_TEXT_CHARS = 4096
MAX_CALLBACK_BYTES = 64
REF_HEX_CHARS = 8
PRESS = re.compile(r"^([atd]):([0-9a-f]{8}):([0-9a-f]{1,32})$")
OPTION_KINDS = ("choice", "yes_no", "language", "multi_choice")
REMOVE_KEYBOARD = ReplyKeyboardRemove()

# The channel's own words; the consultation's words come from the flow and the engine.
WORDS: dict[str, dict[str, str]] = {
    "share_offer": {
        "fr": "Vous avez déjà commencé par SMS ou par USSD ? Partagez votre numéro avec le bouton ci-dessous "
              "pour continuer là où vous en étiez. C'est facultatif : votre numéro sert seulement à relier "
              "vos réponses et n'est jamais publié.",
        "en": "Already started by SMS or USSD? Share your number with the button below to continue where you "
              "left off. This is optional: your number is only used to link your answers and is never published.",
    },
    "share_button": {"fr": "📱 Partager mon numéro", "en": "📱 Share my number"},
    "linked": {"fr": "Merci, votre numéro est relié à vos réponses.", "en": "Thank you, your number is linked to your answers."},
    "not_own_contact": {"fr": "Merci de partager votre propre numéro, avec le bouton « Partager mon numéro ».",
                        "en": "Please share your own number, with the “Share my number” button."},
    "bad_phone": {"fr": "Ce numéro n'a pas pu être lu.", "en": "We could not read this number."},
    "use_text": {"fr": "Merci de répondre par un texte ou avec les boutons.", "en": "Please answer with text or the buttons."},
    "stale": {"fr": "Ce bouton correspond à une question précédente. Voici la question en cours :",
              "en": "That button belongs to an earlier question. Here is the current one:"},
    "closed": {"fr": "Cette conversation est terminée. Envoyez /start pour recommencer.",
               "en": "This conversation is over. Send /start to begin again."},
    "unknown_link": {"fr": "Ce lien ne correspond à aucune consultation. Envoyez /start pour la consultation en cours.",
                     "en": "This link matches no consultation. Send /start for the current one."},
    "help": {"fr": "/start : commencer ou reprendre\n/lang : changer de langue\n/stop : ne plus recevoir de messages\n/help : cette aide",
             "en": "/start: begin or pick up\n/lang: change language\n/stop: receive no more messages\n/help: this help"},
    "choose_language": {"fr": "Choisissez votre langue :", "en": "Choose your language:"},
    "multi_hint": {"fr": "Touchez vos réponses, puis Valider.", "en": "Tap your answers, then Done."},
    "done": {"fr": "✅ Valider", "en": "✅ Done"},
    "pick_one": {"fr": "Choisissez au moins une réponse.", "en": "Choose at least one answer."},
}
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "pt": "Português", "ar": "العربية", "sw": "Kiswahili"}


def words(key: str, language: str | None) -> str:
    """The channel's text for a key in a language, or in French and English when the language is unknown."""
    texts = WORDS[key]
    if language in texts:
        return texts[language]  # type: ignore[index]
    return texts["fr"] + "\n" + texts["en"]


def question_ref(flow_id: str, question_id: str) -> str:
    """The short name a button gives its question (see the module docstring)."""
    return hashlib.sha256(f"{flow_id}/{question_id}".encode()).hexdigest()[:REF_HEX_CHARS]


@dataclass(frozen=True)
class Press:
    """A pressed button, read from its callback data."""

    verb: str  # a (answer), t (toggle a box), d (done)
    ref: str
    value: int  # option number for a, ticked boxes as a bit mask for t and d


def press_data(verb: str, ref: str, value: int) -> str:
    """The callback data of a button."""
    return f"{verb}:{ref}:{value:x}"


def parse_press(data: str | None) -> Press | None:
    """The button a callback query reports, or None for data we did not write."""
    match = PRESS.match(data or "")
    if match is None:
        return None
    verb, ref, value = match.groups()
    return Press(verb, ref, int(value, 16))


def ask_text(ask: Ask, language: str | None) -> str:
    """A question as Telegram text: why it is asked again, the prompt, how to answer; options are buttons."""
    lines = [ask.error] if ask.error else []
    lines.append(ask.text)
    if ask.kind == "multi_choice":
        lines.append(words("multi_hint", language))
    if ask.hint:
        lines.append(ask.hint)
    return "\n".join(lines)


def reply_texts(events: list[Event], language: str | None, prefix: str | None = None) -> list[str]:
    """The messages for a step: everything in one message (Telegram allows one per second per chat)."""
    parts = [prefix] if prefix else []
    for event in events:
        if isinstance(event, Say) and event.text:
            parts.append(event.text)
        elif isinstance(event, Ask):
            parts.append(ask_text(event, language))
    return split_text("\n\n".join(parts)) if parts else []


def split_text(text: str, limit: int = MAX_TEXT_CHARS) -> list[str]:
    """Cut a text into messages Telegram accepts, at paragraph or line breaks when possible."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return pieces + ([text] if text else [])


def keyboard_for(ask: Ask, ref: str, language: str | None, mask: int = 0) -> InlineKeyboardMarkup | None:
    """The inline buttons of a question, or None when it is answered by typing (number, text)."""
    if ask.kind not in OPTION_KINDS or not ask.options:
        return None
    if ask.kind == "multi_choice":
        mask &= (1 << len(ask.options)) - 1
        rows = [[InlineKeyboardButton(f"{'☑' if mask & (1 << i) else '☐'} {i + 1}. {label}",
                                      callback_data=press_data("t", ref, mask ^ (1 << i)))]
                for i, (_, label) in enumerate(ask.options)]
        rows.append([InlineKeyboardButton(words("done", language), callback_data=press_data("d", ref, mask))])
    else:
        buttons = [InlineKeyboardButton(label if ask.kind != "choice" else f"{n}. {label}", callback_data=press_data("a", ref, n))
                   for n, (_, label) in enumerate(ask.options, 1)]
        rows = [buttons] if ask.kind in ("yes_no", "language") and len(buttons) <= 3 else [[b] for b in buttons]
    if any(len(b.callback_data.encode()) > MAX_CALLBACK_BYTES for row in rows for b in row):  # type: ignore[union-attr]
        return None  # cannot happen below ~120 options; typing the numbers still works
    return InlineKeyboardMarkup(rows)


def share_keyboard(language: str | None) -> ReplyKeyboardMarkup:
    """The one button that shares the user's own phone number (Telegram asks them to confirm)."""
    return ReplyKeyboardMarkup([[KeyboardButton(words("share_button", language), request_contact=True)]],
                               resize_keyboard=True, one_time_keyboard=True)


def language_menu(languages: tuple[str, ...], language: str | None) -> str:
    """The /lang answer: one tappable command per language of the flow."""
    lines = [words("choose_language", language)]
    lines += [f"/lang_{code} {LANGUAGE_NAMES.get(code, code)}" for code in languages]
    return "\n".join(lines)
