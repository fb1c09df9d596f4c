"""Run a submission through the conversation engine, as if its answers had come one by one by SMS.

The same rules then hold as for every other channel: choice codes, number bounds, required answers,
which questions apply (`when`), where a refusal ends the interview (`end_if`). A cell is first read
as the export writes it (codes, numbers, `yes`/`no`, codes separated by spaces, or labels typed on
paper: profiles/responses_csv.py), then handed to the engine as the numbered reply a citizen would send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows import engine
from flows.events import AnswerCleared, AnswerInvalid, AnswerRecorded, QuestionSkipped
from flows.model import Flow, Question
from flows.state import ACTIVE, COMPLETED, DECLINED, State
from palabre.imports.rows import Problem, Submission
from profiles.responses_csv import parse_cell

SKIP = "skip"  # the engine's word for leaving an optional question blank
FINISHED = (COMPLETED, DECLINED)  # what a questionnaire on paper or a tablet can be


@dataclass(frozen=True)
class Checked:
    """A submission the engine accepted: its final state and each recorded answer (value, text as written)."""

    submission: Submission
    state: State
    answers: dict[str, tuple[Any, str]]


class Memo:
    """What checking one file has read already: each distinct cell of each question, and the engine's readings.

    A file of 20,000 questionnaires holds a few hundred distinct cells: each is read once, and its
    problem, if any, is the same words for every row it is in (only the row and column change).
    """

    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], tuple[str, str | None]] = {}
        self.engine: engine.Memo = {}

    def reply(self, question: Question, raw: str) -> tuple[str, str | None]:
        key = (question.id, raw)
        if key not in self.replies:
            self.replies[key] = _reply(question, raw)
        return self.replies[key]


def check(flow: Flow, submission: Submission, now: float, memo: Memo | None = None) -> Checked | list[Problem]:
    """The engine's reading of the submission, or the problems that keep it out (by row and column).

    `memo`: one per file and flow, to read each distinct cell once (Memo).
    """
    problems = []
    if submission.status and submission.status not in FINISHED:
        problems.append(Problem(submission.row, "status", f"'{submission.status}': only finished questionnaires "
                                                          f"({' or '.join(FINISHED)}) can be imported"))
    state, events = engine.start(flow, now, _language(flow, submission))
    answers: dict[str, tuple[Any, str]] = {}
    asked: set[str] = set()
    while state.status == ACTIVE and state.current is not None:
        question = flow.question(state.current)
        asked.add(question.id)
        raw = submission.cells.get(question.id, "")
        column = submission.columns.get(question.id, question.id)
        text, problem = memo.reply(question, raw) if memo else _reply(question, raw)
        if problem:
            problems.append(Problem(submission.row, column, problem))
            break
        state, events = engine.step(flow, state, text, now, memo.engine if memo else None)
        if any(isinstance(e, AnswerInvalid) for e in events):
            error = next((e.error for e in events if getattr(e, "error", None)), None)
            why = "no answer, but the question is required" if not raw else f"'{raw}' refused: {error}"
            problems.append(Problem(submission.row, column, why))
            break
        settled = False
        for event in events:
            if isinstance(event, AnswerRecorded):
                answers[event.question_id] = (event.value, raw)
                settled = settled or event.question_id == question.id
            elif isinstance(event, AnswerCleared):
                answers.pop(event.question_id, None)
            elif isinstance(event, QuestionSkipped) and event.question_id == question.id:
                settled = True
        if not settled:  # a reply the engine took as a command (STOP, HELP, BACK), not as an answer
            problems.append(Problem(submission.row, column, f"'{raw}' reads as a command, not as an answer"))
            break
    if not problems:
        for question in flow.questions:
            raw = submission.cells.get(question.id, "")
            if raw and question.id not in asked:
                why = f"the condition {question.when.source}" if question.when else "an earlier answer"
                problems.append(Problem(submission.row, submission.columns.get(question.id, question.id),
                                        f"'{raw}' answers a question that does not apply ({why} ends or skips it)"))
    return problems or Checked(submission, state, answers)


def _language(flow: Flow, submission: Submission) -> str | None:
    """The language the questionnaire was taken in: its language question's code, else the row's column."""
    for question in flow.questions:
        if question.type == "language":
            code = submission.cells.get(question.id, "").lower()
            if code in flow.languages:
                return code
    return submission.language if submission.language in flow.languages else None


def _reply(question: Question, raw: str) -> tuple[str, str | None]:
    """The reply a citizen would have sent for this cell (choices by their number), or a problem."""
    if not raw:
        return SKIP, None
    if question.type == "text":
        return raw, None
    value, problem = parse_cell(question, raw)
    if problem:
        return "", problem
    if question.type in ("choice", "language"):
        return str(_position(question, value)), None
    if question.type == "multi_choice":
        return " ".join(str(_position(question, code)) for code in value), None
    if question.type == "yes_no":
        return ("1" if value == "yes" else "2"), None  # the engine reads 1 as yes and 2 as no
    return (str(int(value)) if float(value).is_integer() else str(value)), None


def _position(question: Question, code: str) -> int:
    return next(i for i, choice in enumerate(question.choices, start=1) if choice.code == code)
