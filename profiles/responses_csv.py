"""Read responses from a CSV with the export's columns, typed back with the flow.

Officials also type paper questionnaires into a spreadsheet, so every problem names its row
(the spreadsheet's: the header is row 1) and column, and says what was expected.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import IO, Any, Iterator

from flows.answers import normalize, parse_number, parse_yes_no
from flows.model import Flow, Question
from flows.state import STATUSES
from profiles.errors import ProfileError

# Stop reading after this many problems: a file that wrong is the wrong file.
MAX_PROBLEMS = 25
REQUIRED = ("status", "channel", "language")
# Codes are letters, digits, '_' and '-', so these can only separate them.
MULTI_SEPARATORS = re.compile(r"[\s,;|/+]+")
# Labels contain spaces, so a cell of labels is split on punctuation only.
LABEL_SEPARATORS = re.compile(r"[,;|/+]")


class ResponsesInvalid(ProfileError):
    """A responses file that cannot be read; `problems` lists each, with its row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ResponseRow:
    row: int  # the spreadsheet row, header being row 1
    status: str
    answers: dict[str, Any]  # typed answers, plus the built-ins `channel` and `language`


def read_responses(stream: IO[str], flow: Flow) -> Iterator[ResponseRow]:
    """Yield each row typed with the flow; raise ResponsesInvalid naming every problem found."""
    sample = stream.readline().lstrip("\ufeff")
    delimiter = max((",", ";", "\t"), key=sample.count)  # French spreadsheets save with ';'
    header = [name.strip().lower() for name in next(csv.reader([sample], delimiter=delimiter), [])]
    columns = _columns(flow, header)
    reader = csv.reader(stream, delimiter=delimiter)
    problems: list[str] = []
    for record in reader:
        row = reader.line_num + 1  # the header line was read before the reader started
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: record[i].strip() if i < len(record) else "" for name, i in columns.items()}
        parsed = _row(flow, row, cells, problems)
        if len(problems) >= MAX_PROBLEMS:
            raise ResponsesInvalid(problems + [f"stopped reading after {MAX_PROBLEMS} problems"])
        if parsed is not None:
            yield parsed
    if problems:
        raise ResponsesInvalid(problems)


def _columns(flow: Flow, header: list[str]) -> dict[str, int]:
    """Position of each column we read; raise when a needed one is missing or doubled."""
    problems = []
    for name in sorted({h for h in header if h and header.count(h) > 1}):
        problems.append(f"row 1: column '{name}' appears more than once")
    needed = dict.fromkeys(REQUIRED, "every response")
    profile = flow.profile
    for indicator in profile.indicators if profile else ():
        for name in sorted(indicator.deprived_if.names):
            needed.setdefault(name, f"indicator {indicator.id}")
    for group in profile.groups if profile else ():
        needed.setdefault(group, "the profile's groups")
    for name, why in needed.items():
        if name not in header:
            problems.append(f"row 1: missing column '{name}' (needed by {why})")
    if problems:
        raise ResponsesInvalid(problems)
    readable = {q.id for q in flow.questions if q.type != "text"}  # free text never enters a profile
    return {name: header.index(name) for name in (*REQUIRED, *(h for h in header if h in readable))}


def _row(flow: Flow, row: int, cells: dict[str, str], problems: list[str]) -> ResponseRow | None:
    status = cells["status"].lower()
    if status not in STATUSES:
        problems.append(f"row {row}, column status: unknown status '{cells['status']}' (one of {', '.join(STATUSES)})")
        return None
    language = cells["language"].lower() or None
    if language is not None and language not in flow.languages:
        problems.append(f"row {row}, column language: unknown language '{cells['language']}' (one of {', '.join(flow.languages)})")
    answers: dict[str, Any] = {"channel": cells["channel"].lower() or None, "language": language}
    before = len(problems)
    for question in flow.questions:
        text = cells.get(question.id, "")
        if question.type == "text" or not text:
            continue
        value, problem = parse_cell(question, text)
        if problem:
            problems.append(f"row {row}, column {question.id}: {problem}")
        else:
            answers[question.id] = value
    if len(problems) > before:
        return None
    return ResponseRow(row, status, answers)


def parse_cell(question: Question, text: str) -> tuple[Any, str | None]:
    """A cell as the engine would have recorded the answer, or a problem saying what was expected."""
    kind = question.type
    if kind in ("choice", "language"):
        code = _code(question, text)
        return (code, None) if code else (None, f"unknown code '{text}' ({_codes(question)})")
    if kind == "multi_choice":
        whole = _code(question, text)
        if whole:
            return [whole], None
        parts = [p for p in LABEL_SEPARATORS.split(text) if p.strip()]  # "Famille ou amis, Une association"
        tokens = parts if all(_code(question, part) for part in parts) else [t for t in MULTI_SEPARATORS.split(text) if t]
        codes = [_code(question, token) for token in tokens]
        unknown = [token for token, code in zip(tokens, codes) if code is None]
        if unknown:
            listed = ", ".join(repr(u) for u in unknown)
            return None, f"unknown code{'s' if len(unknown) > 1 else ''} {listed} ({_codes(question)}, separated by spaces)"
        chosen = set(codes)
        return [c.code for c in question.choices if c.code in chosen], None
    if kind == "yes_no":
        answer = text.lower() if text.lower() in ("yes", "no") else parse_yes_no(text)
        return (answer, None) if answer else (None, f"'{text}' is not yes or no")
    return _number(question, text)


def _number(question: Question, text: str) -> tuple[Any, str | None]:
    number = parse_number(text, question.unit)
    if number is None:
        return None, f"'{text}' is not a number" + (" of minutes (e.g. 45 or 1h30)" if question.unit else "")
    if question.integer and not float(number).is_integer():
        return None, f"'{text}' is not a whole number"
    low = question.min if question.min is not None else float("-inf")
    high = question.max if question.max is not None else float("inf")
    if not low <= number <= high:
        return None, f"{text} is outside {_show(question.min)}..{_show(question.max)}"
    return number, None


def _code(question: Question, text: str) -> str | None:
    wanted = text.strip().lower()
    for choice in question.choices:
        if choice.code.lower() == wanted:
            return choice.code
    normalized = normalize(text)
    for choice in question.choices:
        if normalized and normalized in {normalize(label) for label in choice.label.values()}:
            return choice.code
    return None


def _codes(question: Question) -> str:
    return "one of " + ", ".join(c.code for c in question.choices)


def _show(limit: float | None) -> str:
    if limit is None:
        return "..."
    return str(int(limit)) if float(limit).is_integer() else str(limit)

