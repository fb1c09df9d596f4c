"""What a flow costs by SMS: each question as sent, its encoding and segments, per language."""

from __future__ import annotations

from dataclasses import dataclass

from palabre.sms_segments import count_segments, non_gsm_characters
from bots.text import render_ask
from flows.engine import ask
from flows.errors import Problem
from flows.model import Flow
from flows.state import State


@dataclass(frozen=True)
class PromptCost:
    question_id: str
    language: str
    text: str
    encoding: str
    segments: int
    forcing: tuple[str, ...]  # characters that force UCS-2


def prompt_costs(flow: Flow) -> list[PromptCost]:
    """The SMS cost of every question as the engine renders it, in every language."""
    costs = []
    for language in flow.languages:
        state = State(language=language)
        for question in flow.questions:
            text = render_ask(ask(flow, state, question))
            count = count_segments(text)
            costs.append(PromptCost(question.id, language, text, count.encoding, count.segments, tuple(non_gsm_characters(text))))
    return costs


def prompt_warnings(flow: Flow, max_segments: int = 1) -> list[Problem]:
    """A warning for each question whose SMS takes more than `max_segments` segments."""
    problems = []
    for cost in prompt_costs(flow):
        if cost.segments > max_segments:
            path = f"questions[{flow.index(cost.question_id)}].prompt.{cost.language}"
            why = f"; {' '.join(cost.forcing)} force UCS-2" if cost.forcing else ""
            problems.append(Problem(path, f"takes {cost.segments} SMS segments ({cost.encoding}, {len(cost.text)} characters with its choices){why}", "warning"))
    return problems
