"""What every part of a flow file is checked with: shapes (mappings, texts, numbers, expressions) and references to questions.

The loader (flows/loader.py) and the exclusion-risk model's rules (flows/profile_rules.py) build on
these: each problem is collected with the path of the value it is about, never raised one by one.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from flows.errors import Problem
from flows.expr import Expression, ExpressionError, parse
from flows.model import Question

QUESTION_ID = re.compile(r"^[a-z_][a-z0-9_]*$")
ORDERED_OPS = frozenset({"<", "<=", ">", ">="})


class Checks:
    """Problems collected while walking raw YAML, and the checks of its generic shapes."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ()
        self.voice_languages: tuple[str, ...] = ()  # spoken only: their texts are filled with the first language's
        self.all_ids: set[str] = set()
        self.asked_ids: set[str] = set()  # ids of the questions before the one being checked
        self.broken_ids: set[str] = set()  # ids of questions that failed to load

    def error(self, path: str, message: str) -> None:
        # A missing key is reported once, not again by the check of its (absent) value.
        if Problem(path, "is required") in self.problems:
            return
        self.problems.append(Problem(path, message))

    def warn(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message, "warning"))

    # -- generic shapes -------------------------------------------------------------

    def mapping(self, value: Any, path: str, allowed: set[str], required: tuple[str, ...] = ()) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"must be a mapping, not {kind_of(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(join_path(path, str(key)), f"unknown key '{key}'")
        for key in required:
            if key not in value:
                self.error(join_path(path, key), "is required")
        return value

    def text(self, value: Any, path: str) -> dict[str, str] | None:
        """A translatable text: one string per flow language, or one string for all."""
        if isinstance(value, str) and value.strip():
            return {lang: value for lang in (*self.languages, *self.voice_languages)}
        if not isinstance(value, dict) or not value:
            self.error(path, "must be a text in each language, e.g. {fr: ..., en: ...}")
            return None
        out: dict[str, str] = {}
        for lang in self.languages:
            item = value.get(lang)
            if not isinstance(item, str) or not item.strip():
                self.error(path, f"missing language '{lang}'")
            else:
                out[lang] = item
        for lang in value:
            if lang not in self.languages and lang not in self.voice_languages:
                self.error(join_path(path, str(lang)), f"language '{lang}' is not in languages")
        # A voice language's words are heard from recordings; the engine reads the first language's text
        # for it (or its own, when a flow writes one as the speaker's script).
        for lang in self.voice_languages:
            given = value.get(lang)
            out[lang] = given if isinstance(given, str) and given.strip() else out.get(self.languages[0], "")
        return out

    def string_list(self, value: Any, path: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.error(path, "must be a list of words")
            return ()
        return tuple(value)

    def number(self, value: Any, path: str) -> float | None:
        if not is_number(value):
            self.error(path, f"must be a number, not {kind_of(value)}")
            return None
        return value

    def expression(self, value: Any, path: str) -> Expression | None:
        if not isinstance(value, str):
            self.error(path, "must be an expression in quotes, e.g. \"phone == 'none'\"")
            return None
        try:
            return parse(value)
        except ExpressionError as exc:
            self.error(path, f"invalid expression: {exc}")
            return None

    def check_references(self, expr: Expression, path: str, known: dict[str, Question],
                         explain: Callable[[str], str | None] = lambda n: None) -> None:
        for name in sorted(expr.names):
            if name in self.broken_ids:
                continue  # a question whose own problems are already reported
            if name not in known:
                self.error(path, explain(name) or f"unknown question '{name}'")
        for name, op, literal in expr.compared:
            question = known.get(name)
            if question is not None:
                self.check_types(question, op, literal, path)
        for name, literal in expr.literals:
            question = known.get(name)
            if question is None or literal is None:
                continue
            allowed = allowed_literals(question)
            if not allowed:
                continue  # no choices loaded: already reported on the question
            if literal not in allowed:
                hint = f"; write the code in quotes: '{literal}'" if str(literal) in allowed else ""
                self.error(path, f"{show_literal(literal)} is not an answer of '{name}' ({', '.join(sorted(allowed))}){hint}")


    def check_types(self, question: Question, op: str, literal: Any, path: str) -> None:
        """Refuse a comparison that can never hold: a number question against a text, an order on codes."""
        values = literal if isinstance(literal, tuple) else (literal,)
        if question.type == "number":
            wrong = [v for v in values if not is_number(v)]
            if wrong:
                self.error(path, f"'{question.id}' is a number question: compare it with a number, not {show_literal(wrong[0])}")
        elif op in ORDERED_OPS:
            self.error(path, f"'{op}' compares numbers, but '{question.id}' is a {question.type} question; use == or in")
        elif question.type == "text" and any(not isinstance(v, str) for v in values):
            wrong = next(v for v in values if not isinstance(v, str))
            self.error(path, f"'{question.id}' is a text question: compare it with a 'text', not {show_literal(wrong)}")


def allowed_literals(question: Question) -> set | None:
    if question.type in ("choice", "multi_choice", "language"):
        return {c.code for c in question.choices}
    if question.type == "yes_no":
        return {"yes", "no"}
    return None


def is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def show_literal(literal: Any) -> str:
    """A literal as written in a condition: 'code', 2, true."""
    if isinstance(literal, bool):
        return "true" if literal else "false"
    return f"'{literal}'" if isinstance(literal, str) else str(literal)


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", type(None): "empty"}.get(type(value), type(value).__name__)
