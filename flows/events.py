"""What a conversation step produced: the caller turns these into messages and rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Say:
    """Tell the citizen something (intro, end, help, confirmations, "understood" read-backs)."""

    key: str
    text: str


@dataclass(frozen=True)
class Ask:
    """Ask a question; `error` explains why the last answer was not understood."""

    question_id: str
    kind: str  # the question type: choice, multi_choice, number, yes_no, text, language
    text: str
    options: tuple[tuple[str, str], ...] = ()  # (code, label) in display order
    error: str | None = None
    hint: str | None = None
    position: int = 0  # 1-based index of the question in the flow
    total: int = 0
    listed: bool = True  # false: the prompt names its options, text channels need not number them


@dataclass(frozen=True)
class AnswerRecorded:
    question_id: str
    value: Any  # normalised: code, number, 'yes'/'no', text, or a list of codes; None when invalid
    raw: str
    valid: bool = True


@dataclass(frozen=True)
class AnswerCleared:
    """An earlier answer no longer applies (the citizen went back and changed course)."""

    question_id: str


@dataclass(frozen=True)
class AnswerInvalid:
    question_id: str
    raw: str
    attempt: int


@dataclass(frozen=True)
class QuestionSkipped:
    question_id: str
    reason: str  # "condition", "declined" (citizen skipped an optional one) or "invalid"


@dataclass(frozen=True)
class LanguageChanged:
    language: str


@dataclass(frozen=True)
class OptedOut:
    """The citizen said STOP: send nothing more, ever, until they opt back in."""


@dataclass(frozen=True)
class Finished:
    status: str  # completed, declined, expired


Event = Say | Ask | AnswerRecorded | AnswerCleared | AnswerInvalid | QuestionSkipped | LanguageChanged | OptedOut | Finished
