"""A consultation as an XLSForm, for enumerators collecting offline in ODK Collect or KoboCollect.

The form asks what the flow asks, in every language (`label::Français (fr)` columns), with the flow's
skip logic as `relevant`, number bounds as `constraint`, and what assisted collection adds: a consent
statement the enumerator reads aloud, and which association or relay helped. A hidden `palabre_flow`
field carries the flow's id and hash, so that `responses import` refuses a file made for another flow.
The form's metadata records when the interview started and ended, the tablet and the enumerator's
username: `responses import` keeps the times, and the tablet and the enumerator only as pseudonyms.
"""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook

from flows.expr import Expression
from flows.model import Flow, Question
from flows.xpath import to_xpath
from profiles.labels import LANGUAGE_NAMES

FLOW_FIELD = "palabre_flow"
CONSENT_NOTE = "enumerator_consent"
# XLSForm metadata the collecting app fills in by itself (type and name alike); never shown to anyone.
METADATA = ("start", "end", "deviceid", "username")
RELAY = "relay"
YES_NO_LIST = "yes_no"
# XLSForm types of Palabre's question types (choice lists are named after the question).
SELECT = {"choice": "select_one", "language": "select_one", "yes_no": "select_one", "multi_choice": "select_multiple"}
NUMBER = {True: "integer", False: "decimal"}
# What the form says around the flow's own words, per language (English where a language has none).
WORDS = {
    "read_aloud": {"fr": "À lire à voix haute avant de commencer :", "en": "Read this aloud before you start:"},
    "relay": {"fr": "Quelle association ou quel relais a aidé cette personne ? (enquêteur)",
              "en": "Which association or relay helped this person? (enumerator)"},
    "between": {"fr": "Un nombre entre {low} et {high}", "en": "A number between {low} and {high}"},
    "at_least": {"fr": "Un nombre d'au moins {low}", "en": "A number of at least {low}"},
    "at_most": {"fr": "Un nombre d'au plus {high}", "en": "A number of at most {high}"},
    "yes": {"fr": "Oui", "en": "Yes"},
    "no": {"fr": "Non", "en": "No"},
}


def language_column(prefix: str, language: str) -> str:
    """`label::Français (fr)`: XLSForm's language columns, named so that ODK shows the language's own name."""
    return f"{prefix}::{LANGUAGE_NAMES.get(language, language)} ({language})"


def write_xlsform(flow: Flow, flow_sha256: str, out: IO[bytes]) -> None:
    """Write the flow as an XLSForm workbook (survey, choices and settings sheets)."""
    languages = flow.languages
    labels = [language_column("label", lang) for lang in languages]
    hints = [language_column("hint", lang) for lang in languages]
    messages = [language_column("constraint_message", lang) for lang in languages]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", *labels, *hints, "required", "relevant", "constraint", *messages, "calculation"])
    width = survey.max_column

    def row(kind: str, name: str, label: dict | None = None, hint: dict | None = None, required: bool = False,
            relevant: str = "", constraint: str = "", message: dict | None = None, calculation: str = "") -> None:
        cells = [kind, name, *_texts(label, languages), *_texts(hint, languages), "yes" if required else "",
                 relevant, constraint, *_texts(message, languages), calculation]
        survey.append(cells[:width])

    for kind in METADATA:
        row(kind, kind)
    row("calculate", FLOW_FIELD, calculation=f"'{flow.id}:{flow_sha256}'")
    intro = {lang: f"{_word('read_aloud', lang)} {(flow.intro or {}).get(lang, '')}".strip() for lang in languages}
    row("note", CONSENT_NOTE, label=intro)
    ended: list[Expression] = []  # an end_if ends the interview: later questions are only relevant while none holds
    for question in flow.questions:
        conditions = [to_xpath(question.when, flow)] if question.when else []
        conditions += [f"not({to_xpath(condition, flow)})" for condition in ended]
        constraint, message = _bounds(question, languages)
        row(_type(question), question.id, label=_prompt(question, languages), hint=question.help,
            required=not question.optional, relevant=" and ".join(conditions), constraint=constraint, message=message)
        if question.end_if is not None:
            ended.append(question.end_if)
    if RELAY not in {q.id for q in flow.questions}:
        row("text", RELAY, label={lang: _word("relay", lang) for lang in languages})

    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *labels])
    for question in flow.questions:
        if question.type == "yes_no":
            continue
        for choice in question.choices:
            choices.append([question.id, choice.code, *_texts(choice.label, languages)])
    for code in ("yes", "no"):
        choices.append([YES_NO_LIST, code, *(_word(code, lang) for lang in languages)])

    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([flow.title.get(flow.default_language, flow.id), flow.id.replace("-", "_"), flow_sha256[:12],
                     f"{LANGUAGE_NAMES.get(flow.default_language, flow.default_language)} ({flow.default_language})"])
    book.save(out)


def _type(question: Question) -> str:
    if question.type in SELECT:
        return f"{SELECT[question.type]} {YES_NO_LIST if question.type == 'yes_no' else question.id}"
    if question.type == "number":
        return NUMBER[question.integer]
    return "text"


def _prompt(question: Question, languages: tuple[str, ...]) -> dict[str, str]:
    return {lang: question.prompt.get(lang) or next(iter(question.prompt.values())) for lang in languages}


def _bounds(question: Question, languages: tuple[str, ...]) -> tuple[str, dict | None]:
    if question.type != "number" or (question.min is None and question.max is None):
        return "", None
    low, high = _number(question.min), _number(question.max)
    if question.min is not None and question.max is not None:
        return f". >= {low} and . <= {high}", {lang: _word("between", lang).format(low=low, high=high) for lang in languages}
    if question.min is not None:
        return f". >= {low}", {lang: _word("at_least", lang).format(low=low) for lang in languages}
    return f". <= {high}", {lang: _word("at_most", lang).format(high=high) for lang in languages}


def _number(value: float | None) -> str:
    return "" if value is None else str(int(value)) if float(value).is_integer() else str(value)


def _texts(text: dict | None, languages: tuple[str, ...]) -> list[str]:
    if not text:
        return ["" for _ in languages]
    return [text.get(lang) or next(iter(text.values())) for lang in languages]


def _word(key: str, language: str) -> str:
    return WORDS[key].get(language) or WORDS[key]["en"]
