"""How a file's columns map to the flow's questions: one Layout per tool that writes submission files.

Groups nest a question's column under their names: KoboToolbox writes `group/question`, ODK Central
`group-question` in its CSV. Both write a `select_multiple` as the chosen names separated by spaces
and, unless told not to, one more column per option (`helper/nobody`, `group-helper/nobody`) holding
1 or 0. Their meta columns (submission ids, times, submitter) are read or dropped by name.

Who collected a row (the enumerator's account, the tablet's id) is read only to be pseudonymised at
once, with the key participants' pseudonyms use: a Submission never holds the name or id itself.
The relay an enumerator named (the form's `relay` text) is kept with its spaces tidied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from flows.model import Flow, Question
from models.offline_collection import RELAY_CHARS
from palabre.exports.xlsform import FLOW_FIELD, RELAY
from palabre.imports.rows import ImportRefused, Submission

OPTION_SEPARATOR = "/"  # both tools: `question/option` holds 1 when the option was chosen
CHOSEN = {"1", "true", "yes"}
ENUMERATOR, DEVICE = "enumerator", "device"  # what a collector's pseudonym is keyed on, beside `tel` and `telegram`
Pseudonymise = Callable[[str, str], str]  # (ENUMERATOR or DEVICE, the id as the tool wrote it) -> pseudonym


@dataclass(frozen=True)
class Layout:
    """One tool's column layout."""

    name: str  # as shown to officials: KoboToolbox, ODK Central, Palabre
    channel: str  # the channel of its rows unless the import says otherwise
    markers: frozenset[str]  # columns only this tool writes
    separator: str | None  # between a group's name and its question's in a column name
    key_columns: tuple[str, ...]  # the submission's own id, first one present wins
    start_columns: tuple[str, ...] = ()
    end_columns: tuple[str, ...] = ()
    # Who collected the row: the enumerator's account, then the tablet; the first column present and filled
    # wins, and its value is only ever handed to the pseudonymiser.
    enumerator_columns: tuple[str, ...] = ()
    device_columns: tuple[str, ...] = ()
    # Other columns that name a person or a phone (its number, its SIM): never read, so never stored.
    identity_columns: frozenset[str] = frozenset()
    meta_columns: frozenset[str] = frozenset()  # other columns that are not answers
    rejected: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> value -> why it stays out
    hint: str = ""  # what to do when the columns do not match

    def field_name(self, column: str) -> str:
        """The question id a column holds: the last step of its group path."""
        return column.rsplit(self.separator, 1)[-1] if self.separator else column


def read_rows(layout: Layout, flow: Flow, header: list[str], rows: list[tuple[int, list[str]]],
              pseudonymise: Pseudonymise) -> list[Submission]:
    """Every row as a Submission; ImportRefused when the columns are not the flow's."""
    columns = _Columns(layout, flow, header, pseudonymise)
    return [columns.submission(number, cells) for number, cells in rows]


def tidy_relay(text: str) -> str | None:
    """A relay's name as stored: inner spaces and line breaks made single spaces, cut to the column's length."""
    return " ".join(text.split())[:RELAY_CHARS] or None


class _Columns:
    """Where each question's answer is in the file's rows."""

    def __init__(self, layout: Layout, flow: Flow, header: list[str], pseudonymise: Pseudonymise):
        self.layout, self.header, self.pseudonymise = layout, header, pseudonymise
        questions = {q.id: q for q in flow.questions}
        self.whole: dict[str, int] = {}  # question id -> column index
        self.options: dict[str, list[tuple[str, int]]] = {}  # multi-choice question id -> [(code, column index)]
        self.meta: dict[str, int] = {}
        self.flow_column: int | None = None
        self.relay_column: int | None = None
        self.collectors = {ENUMERATOR: [header.index(c) for c in layout.enumerator_columns if c in header],
                           DEVICE: [header.index(c) for c in layout.device_columns if c in header]}
        doubled = []
        for index, column in enumerate(header):
            if column in layout.identity_columns or column in layout.enumerator_columns \
                    or column in layout.device_columns or not column:
                continue
            if column in layout.meta_columns or column in layout.key_columns or column in layout.start_columns \
                    or column in layout.end_columns or column in layout.rejected:
                self.meta[column] = index
                continue
            option = _option(layout, questions, column)
            name = layout.field_name(column)
            if option is not None:
                self.options.setdefault(option[0], []).append((option[1], index))
            elif name in questions:
                if name in self.whole:
                    doubled.append(column)
                self.whole[name] = index
            elif name == FLOW_FIELD:
                self.flow_column = index
            elif name == RELAY:  # the form's own question, added when the flow asks none of that name
                self.relay_column = index
        missing = [q.id for q in flow.questions if q.id not in self.whole and q.id not in self.options]
        if doubled:
            raise ImportRefused(f"row 1: column {', '.join(doubled)} appears twice for the same question")
        if missing:
            raise ImportRefused(
                f"row 1: no column for the questions {', '.join(missing)} of '{flow.id}': is this file made for "
                f"another consultation?{' ' + layout.hint if layout.hint else ''}")

    def submission(self, number: int, cells: list[str]) -> Submission:
        def cell(index: int | None) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        answers, names = {}, {}
        for question_id, index in self.whole.items():
            answers[question_id], names[question_id] = cell(index), self.header[index]
        for question_id, options in self.options.items():
            if answers.get(question_id):
                continue  # the space-separated column says it already
            chosen = [code for code, index in options if cell(index).lower() in CHOSEN]
            answers[question_id] = " ".join(chosen)
            names.setdefault(question_id, self.header[options[0][1]].rpartition(OPTION_SEPARATOR)[0])
        meta = {column: cell(index) for column, index in self.meta.items()}
        key = next((meta[c] for c in self.layout.key_columns if meta.get(c)), None)
        if key is None:  # no id of its own (a paper row): the same row gives the same key, so it is stored once
            key = "row:" + hashlib.sha256("\x1f".join(answers[q] for q in sorted(answers)).encode()).hexdigest()
        skipped = next((why for column, verdicts in self.layout.rejected.items()
                        for value, why in verdicts.items() if meta.get(column) == value), None)
        return Submission(
            row=number, cells=answers, columns=names, key=key,
            started_at=_first_time(meta, self.layout.start_columns),
            completed_at=_first_time(meta, self.layout.end_columns),
            language=(meta.get("language") or "").lower() or None,
            channel=(meta.get("channel") or "").lower() or None,
            status=(meta.get("status") or "").lower() or None,
            flow_tag=cell(self.flow_column) or None, skipped=skipped,
            relay=tidy_relay(cell(self.relay_column)),
            **{kind: self._collector(kind, cells) for kind in (ENUMERATOR, DEVICE)},
        )

    def _collector(self, kind: str, cells: list[str]) -> str | None:
        """The pseudonym of the row's enumerator or device, from the first column that names one."""
        for index in self.collectors[kind]:
            raw = cells[index].strip() if index < len(cells) else ""
            if raw:
                # Keyed with the tool's name too: ODK Central's SubmitterID 12 is not KoboToolbox's user '12'.
                return self.pseudonymise(kind, f"{self.layout.name}:{raw}")
        return None


def _option(layout: Layout, questions: dict[str, Question], column: str) -> tuple[str, str] | None:
    """(question id, code) when the column is one option of a multi-choice question."""
    head, separator, code = column.rpartition(OPTION_SEPARATOR)
    if not separator:
        return None
    question = questions.get(layout.field_name(head))
    if question is None or question.type != "multi_choice" or question.choice(code) is None:
        return None
    return question.id, code


def _first_time(meta: dict[str, str], columns: tuple[str, ...]) -> datetime | None:
    for column in columns:
        moment = parse_time(meta.get(column, ""))
        if moment is not None:
            return moment
    return None


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time in UTC ('2018-01-01T00:00:00.000Z', '2017-10-23T05:40:39.000-04:00'); naive ones are UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" UTC", ""))
    except ValueError:
        return None
    # KoboToolbox's _submission_time ('2017-10-23T09:41:19') is UTC without saying so.
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
