"""Warn a flow author when citizens are not asked for their consent or not told how to stop."""

from __future__ import annotations

import re

from flows.errors import Problem
from flows.model import Flow

# The words that opt out on every channel (flows/answers.py); the intro must name one.
STOP_WORDS = re.compile(r"\b(STOP|ARRET|ARRÊT)\b")


def consent_warnings(flow: Flow) -> list[Problem]:
    """A warning when no question lets a citizen decline, and for each intro that does not mention STOP."""
    problems = []
    if not any(q.end_if is not None for q in flow.questions):
        problems.append(Problem("questions", "no consent question: add a yes_no question with "
                                "end_if: \"consent == 'no'\" so that a citizen can decline before answering", "warning"))
    if flow.intro is None:
        problems.append(Problem("intro", "no intro: say who asks, why, and that STOP stops the messages", "warning"))
        return problems
    for language in flow.languages:
        if not STOP_WORDS.search(flow.intro[language]):
            problems.append(Problem(f"intro.{language}", "does not say that STOP stops the messages", "warning"))
    return problems
