"""The names pages give a flow's questions, dimensions and indicators, and the warnings when a flow lacks one."""

from __future__ import annotations

from flows.errors import Problem
from flows.model import Flow, Question

# A prompt longer than this does not fit a chart's label column or a table header, so pages cut it.
SHORT_LABEL_MAX = 40


def question_label(question: Question, lang: str) -> str:
    """A question's name on a page: its `short` label, else its prompt (cut to SHORT_LABEL_MAX characters)."""
    for text in (question.short, question.prompt):
        if text and (text.get(lang) or next(iter(text.values()), "")):
            return _cut(text.get(lang) or next(iter(text.values())))
    return question.id.replace("_", " ")


def label_warnings(flow: Flow) -> list[Problem]:
    """Names a page would need that the flow does not give, saying what pages show instead."""
    problems = []
    for i, question in enumerate(flow.questions):
        if question.short is None and any(len(text) > SHORT_LABEL_MAX for text in question.prompt.values()):
            shown = question_label(question, flow.default_language)
            problems.append(Problem(f"questions[{i}].short", f"no short label: pages show the prompt cut to {SHORT_LABEL_MAX} "
                                                             f"characters ('{shown}'); add short: {{{flow.default_language}: ...}}", "warning"))
    if flow.profile is None:
        return problems
    for i, dimension in enumerate(flow.profile.dimensions):
        if dimension.label is None:
            problems.append(Problem(f"profile.dimensions[{i}].label", f"no label: pages show the id '{dimension.id}'", "warning"))
        for j, indicator in enumerate(dimension.indicators):
            if indicator.label is None:
                problems.append(Problem(f"profile.dimensions[{i}].indicators[{j}].label",
                                        f"no label: pages show the id '{indicator.id}'", "warning"))
    return problems


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT_LABEL_MAX else text[:SHORT_LABEL_MAX - 1].rstrip() + "…"
