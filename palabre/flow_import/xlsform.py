"""XLSForm in: a form for ODK or Kobo (xlsx, xls, csv or md) becomes a Palabre flow.

What maps: select_one and select_multiple with their choice lists, integer and decimal (a
`constraint` of bounds becomes min and max), text, note (its words open the next question),
`required`, `relevant` (as `when`), groups (flattened) and every `label::Language (code)` column.
What cannot be asked by SMS, USSD or a bot (gps, image, repeat, calculate...) is refused naming its
row, or left out with a warning when asked to. Device metadata (start, end, deviceid...) is not a
question: it is left out, and said so.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pyxform.errors import PyXFormError
from pyxform.xls2json import parse_file_to_json
from pyxform.xls2json_backends import get_xlsform

from flows.loader import check_flow_data
from flows.xpath import NotExpressible, from_xpath, xpath_conjuncts
from palabre.flow_import import Imported, ImportRefused
from palabre.exports.xlsform import CONSENT_NOTE, FLOW_FIELD, RELAY, WORDS
from palabre.exports.xlsform import METADATA as OUR_METADATA

TYPES = {"select one": "choice", "select all that apply": "multi_choice", "integer": "number", "decimal": "number",
         "text": "text", "string": "text", "phone number": "text"}
METADATA = {"start", "end", "today", "deviceid", "device id", "username", "simserial", "subscriberid", "phonenumber",
            "email", "audit", "start-geopoint", "background-audio", "uri:deviceid", "uri:username", "uri:email"}
LANGUAGE_CODES = {"english": "en", "french": "fr", "français": "fr", "francais": "fr", "spanish": "es", "español": "es",
                  "portuguese": "pt", "português": "pt", "swahili": "sw", "kiswahili": "sw", "arabic": "ar",
                  "wolof": "wo", "hausa": "ha", "bambara": "bm", "dioula": "dyu", "fon": "fon", "default": "en"}
END = {"fr": "Merci !", "en": "Thank you!", "es": "¡Gracias!", "pt": "Obrigado!"}
BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")


def import_xlsform(path: str | Path, skip_unsupported: bool = False) -> Imported:
    """Read an XLSForm and return the flow it becomes; ImportRefused names each row it cannot take."""
    try:
        rows = get_xlsform(str(path)).survey or []
        form = parse_file_to_json(str(path))
    except (PyXFormError, ValueError, OSError) as exc:
        raise ImportRefused([f"{Path(path).name}: not a readable XLSForm ({exc})"]) from exc
    return _Reader(form, _row_numbers(rows), skip_unsupported).flow(Path(path).stem)


def _row_numbers(rows: list[dict]) -> dict[str, int]:
    """Each named row's line in the survey sheet (the header is line 1)."""
    return {str(row.get("name")): index for index, row in enumerate(rows, 2) if row.get("name")}


class _Reader:
    def __init__(self, form: dict, rows: dict[str, int], skip: bool):
        self.form, self.rows, self.skip = form, rows, skip
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.codes: dict[str, str] = {}  # label column language -> language code

    def where(self, name: str) -> str:
        return f"survey row {self.rows[name]} ('{name}')" if name in self.rows else f"'{name}'"

    def unsupported(self, name: str, why: str) -> None:
        if self.skip:
            self.warnings.append(f"{self.where(name)}: {why}; left out")
        else:
            self.problems.append(f"{self.where(name)}: {why} (use --skip-unsupported to leave it out)")

    def flow(self, fallback_id: str) -> Imported:
        entries = list(self.flatten(self.form.get("children", [])))
        ours = next((e for e in entries if e["name"] == FLOW_FIELD and e["type"] == "calculate"), None)
        self.languages = self.language_codes(entries)
        questions, intro, pending_note = [], None, None
        for entry in entries:
            kind, name = entry["type"], entry["name"]
            if ours is not None and (name in (FLOW_FIELD, RELAY) or (kind in OUR_METADATA and name == kind)):
                continue  # Palabre's own additions to an exported form
            if kind == "note":
                text = self.text(entry.get("label"))
                if ours is not None and name == CONSENT_NOTE:
                    intro = {lang: _without_read_aloud(words, lang) for lang, words in text.items()}
                elif questions or pending_note:
                    pending_note = {lang: " ".join(filter(None, [(pending_note or {}).get(lang), words]))
                                    for lang, words in text.items()}
                else:
                    intro = text
                continue
            if kind in METADATA:
                self.warnings.append(f"{self.where(name)}: '{kind}' is device metadata, not a question; left out")
                continue
            if kind not in TYPES:
                self.unsupported(name, f"type '{kind}' cannot be asked by SMS, USSD or a bot")
                continue
            question = self.question(entry, pending_note)
            if question is not None:
                questions.append(question)
                pending_note = None
        _settle_types(questions, self.languages)
        _hoist_end_conditions(questions)
        settings_title = self.form.get("title") or fallback_id
        flow_id = ours["bind"]["calculate"].strip("'").split(":", 1)[0] if ours else _slug(self.form.get("id_string") or fallback_id)
        data: dict[str, Any] = {
            "id": flow_id,
            "title": {lang: settings_title for lang in self.languages},
            "languages": list(self.languages),
        }
        if intro:
            data["intro"] = intro
        if pending_note:  # a note after the last question: the closing words
            data["end"] = pending_note
        else:
            data["end"] = {lang: END.get(lang, END["en"]) for lang in self.languages}
        data["questions"] = questions
        if self.problems:
            raise ImportRefused(self.problems)
        flow, problems = check_flow_data(data)
        errors = [str(p) for p in problems if getattr(p, "level", "error") == "error"]
        if flow is None:
            raise ImportRefused([f"the flow made from it is invalid: {e}" for e in errors] or ["the flow made from it is invalid"])
        return Imported(data, self.warnings)

    def flatten(self, children: list[dict]):
        for child in children:
            kind = child.get("type")
            if kind == "group":
                if child.get("name") == "meta" and (child.get("control") or {}).get("bodyless"):
                    continue  # pyxform's own instanceID: not a question
                yield from self.flatten(child.get("children", []))
            elif kind == "repeat":
                self.unsupported(child.get("name", "?"), "a repeat asks the same questions several times; Palabre asks each once")
            else:
                yield {**child, "type": kind, "name": child.get("name", "")}

    def language_codes(self, entries: list[dict]) -> tuple[str, ...]:
        found: list[str] = []
        default = self.form.get("default_language")
        columns = [default] if default and default != "default" else []
        for entry in entries:
            for text in (entry.get("label"), *[c.get("label") for c in entry.get("choices") or []]):
                if isinstance(text, dict):
                    columns.extend(text)
        for column in columns:
            code = _language_code(column)
            if code is None:
                self.problems.append(f"label column language '{column}': name it like 'label::Français (fr)'")
                continue
            self.codes[column] = code
            if code not in found:
                found.append(code)
        return tuple(found) or ("en",)

    def text(self, value: Any) -> dict[str, str]:
        """A label in every flow language (a language without its own words takes the first one's)."""
        if isinstance(value, dict):
            by_code = {self.codes[column]: words for column, words in value.items() if column in self.codes and words}
        else:
            by_code = {lang: str(value or "") for lang in self.languages}
        first = next(iter(by_code.values()), "")
        return {lang: by_code.get(lang) or first for lang in self.languages}

    def question(self, entry: dict, note: dict | None) -> dict | None:
        name, bind = entry["name"], entry.get("bind") or {}
        kind = TYPES[entry["type"]]
        prompt = self.text(entry.get("label"))
        if note:
            prompt = {lang: f"{note[lang]}\n{words}" for lang, words in prompt.items()}
        question: dict[str, Any] = {"id": name, "type": kind, "prompt": prompt}
        hint = entry.get("hint")
        if hint:
            question["help"] = self.text(hint)
        if entry["type"] == "integer":
            question["integer"] = True
        if kind in ("choice", "multi_choice"):
            question["choices"] = [{"code": str(choice["name"]), "label": self.text(choice.get("label") or choice["name"])}
                                   for choice in entry.get("choices") or []]
            if not question["choices"]:
                self.unsupported(name, "a choice list from a file or another form")
                return None
        if str(bind.get("required", "")).lower() not in ("yes", "true", "true()"):
            question["optional"] = True
        relevant = bind.get("relevant")
        if relevant:
            question["_conjuncts"] = xpath_conjuncts(relevant)
        constraint = bind.get("constraint")
        if constraint and not self.bounds(question, constraint):
            self.unsupported(name, f"the constraint {constraint!r} is not a bound of the number")
        return question

    def bounds(self, question: dict, constraint: str) -> bool:
        if question["type"] != "number":
            return False
        for part in xpath_conjuncts(constraint):
            match = BOUND.match(part.strip().strip("()"))
            if match is None:
                return False
            op, number = match[1], float(match[2])
            if op in (">", "<") and not question.get("integer"):
                return False  # a strict bound on decimals has no min/max equivalent
            if op == ">":
                question["min"] = _plain(number + 1)
            elif op == ">=":
                question["min"] = _plain(number)
            elif op == "<":
                question["max"] = _plain(number - 1)
            else:
                question["max"] = _plain(number)
        return True


def _hoist_end_conditions(questions: list[dict]) -> None:
    """Turn 'not(E)' in every later question's relevance back into `end_if: E` on the question E reads.

    An exported form writes a question's end_if (a declined consent ends the interview) into the
    relevance of every question after it; read back, the flow ends there again.
    """
    types = {q["id"]: q["type"] for q in questions}
    for index, question in enumerate(questions[:-1]):
        later = questions[index + 1:]
        shared = [c for c in question_conjuncts(later[0]) if c.startswith("not(") and all(c in question_conjuncts(q) for q in later)]
        for conjunct in shared:
            try:
                condition = from_xpath(conjunct[4:-1], types)
            except NotExpressible:
                continue
            if re.fullmatch(rf".*\b{re.escape(question['id'])}\b.*", condition) and "end_if" not in question:
                question["end_if"] = condition
                for other in later:
                    other["_conjuncts"].remove(conjunct)
    for question in questions:
        conjuncts = question.pop("_conjuncts", [])
        if conjuncts:
            try:
                question["when"] = " and ".join(_wrapped(from_xpath(c, types)) for c in conjuncts) if len(conjuncts) > 1 \
                    else from_xpath(conjuncts[0], types)
            except NotExpressible as exc:
                raise ImportRefused([f"'{question['id']}': relevant {exc}"]) from None


def _settle_types(questions: list[dict], languages: tuple[str, ...]) -> None:
    """A choice between the flow's languages is the language question; yes and no, a yes/no question."""
    for question in questions:
        codes = [c["code"] for c in question.get("choices", [])]
        if question["type"] == "choice" and sorted(codes) == ["no", "yes"]:
            question["type"] = "yes_no"
            del question["choices"]
        elif question["type"] == "choice" and len(languages) > 1 and set(codes) == set(languages):
            question["type"] = "language"


def question_conjuncts(question: dict) -> list[str]:
    return question.get("_conjuncts", [])


def _wrapped(condition: str) -> str:
    return condition if condition.startswith("(") or " " not in condition else f"({condition})"


def _language_code(column: str) -> str | None:
    match = re.search(r"\(([A-Za-z]{2,3})\)\s*$", column)
    if match:
        return match[1].lower()
    return LANGUAGE_CODES.get(column.strip().lower())


def _without_read_aloud(text: str, language: str) -> str:
    prefix = WORDS["read_aloud"].get(language) or WORDS["read_aloud"]["en"]
    return text.removeprefix(prefix).strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "imported"


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number
