"""One completed response reduced to what a profile needs: group values, deprivation pattern, helpers.

Respondents share few distinct (group values, deprivation pattern) combinations, so profiles are
computed from these facts counted per combination, never from the answers themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flows.model import Flow, Question
from profiles.errors import InvalidInput

# The question whose answers list the intermediaries ("who helps"), when a flow has one.
HELPER_QUESTION = "helper"
# Patterns are stored as a signed 64-bit integer in SQL: bit 63 is the sign.
MAX_INDICATORS = 62
# Bump when the meaning of a stored fact changes, so every row is recomputed.
FACTS_FORMAT = 1


@dataclass(frozen=True)
class Fact:
    """The profile's view of one response."""

    groups: tuple  # value of each variable of fact_variables (code, band label or None), in that order
    deprived: int  # bit j set when deprived in indicator j
    helpers: int | None  # bit j set for choice j of the helper question; None when unanswered


def group_value(flow: Flow, group: str, answers: Mapping[str, Any]) -> Any:
    """The value a respondent has for a grouping variable: a code, a band label, or None."""
    return _group_reader(flow, group)(answers)


def response_fact(flow: Flow, answers: Mapping[str, Any]) -> Fact:
    """Reduce one respondent's answers (with built-in `channel` and `language`) to a Fact."""
    return FactMaker(flow)(answers)


def fact_variables(flow: Flow, weighting: Iterable[str] = ()) -> tuple[str, ...]:
    """The variables a Fact records, in order: the profile's groups first, then what else the profile
    reads per respondent: the coverage question (by channel, so `channel` too) and the census targets'
    variables that are not groups (a target may name any choice question)."""
    profile = _profile(flow)
    out = list(profile.groups)
    extra = [profile.coverage.question, "channel"] if profile.coverage else []
    for variable in [*extra, *sorted(weighting)]:
        if variable not in out:
            out.append(variable)
    return tuple(out)


class FactMaker:
    """response_fact with the flow's lookups done once, for many respondents."""

    def __init__(self, flow: Flow, variables: Iterable[str] | None = None):
        profile = _profile(flow)
        self.tests = [(1 << bit, indicator.deprived_if.test) for bit, indicator in enumerate(profile.indicators)]
        self.variables = tuple(variables) if variables is not None else fact_variables(flow)
        self.readers = [_group_reader(flow, group) for group in self.variables]
        self.helper = helper_question(flow)

    def __call__(self, answers: Mapping[str, Any]) -> Fact:
        deprived = 0
        for bit, test in self.tests:
            if test(answers):
                deprived |= bit
        return Fact(
            groups=tuple(read(answers) for read in self.readers),
            deprived=deprived,
            helpers=helper_mask(self.helper, answers),
        )


def _group_reader(flow: Flow, group: str):
    if group not in _question_ids(flow):  # the built-ins channel and language
        return lambda answers: answers.get(group)
    question = flow.question(group)
    if question.type == "number":
        return lambda answers: question.band(answers.get(group))
    return lambda answers: answers.get(group)


def helper_question(flow: Flow) -> Question | None:
    """The flow's `helper` choice question, if it has one."""
    for question in flow.questions:
        if question.id == HELPER_QUESTION and question.type in ("choice", "multi_choice"):
            return question
    return None


def helper_mask(question: Question | None, answers: Mapping[str, Any]) -> int | None:
    """The chosen helper codes as a bit mask over the question's choices."""
    if question is None or answers.get(question.id) is None:
        return None
    chosen = answers[question.id]
    codes = set(chosen) if isinstance(chosen, (list, tuple)) else {chosen}
    return sum(1 << i for i, choice in enumerate(question.choices) if choice.code in codes)


def pattern_bits(mask: int, indicators: int) -> list[bool]:
    """A deprivation mask as one boolean per indicator."""
    return [bool(mask >> bit & 1) for bit in range(indicators)]


def facts_key(flow: Flow, variables: Iterable[str] | None = None) -> str:
    """A short hash of everything a Fact depends on; facts with another key are stale."""
    profile = _profile(flow)
    helper = helper_question(flow)
    definition = {
        "format": FACTS_FORMAT,
        "groups": [_group_definition(flow, group) for group in (fact_variables(flow) if variables is None else variables)],
        "indicators": [[i.id, i.deprived_if.source] for i in profile.indicators],
        "helper": [c.code for c in helper.choices] if helper else None,
    }
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:16]


def encode_groups(values: tuple) -> str:
    """Group values as the compact JSON text stored and grouped on in SQL."""
    return json.dumps(list(values), separators=(",", ":"), ensure_ascii=False)


def decode_groups(text: str) -> tuple:
    """The inverse of encode_groups."""
    return tuple(json.loads(text))


def _group_definition(flow: Flow, group: str) -> list:
    if group not in _question_ids(flow):
        return [group]
    question = flow.question(group)
    return [group, question.type, list(question.bands)]


def _question_ids(flow: Flow) -> set[str]:
    return {q.id for q in flow.questions}


def _profile(flow: Flow):
    if flow.profile is None:
        raise InvalidInput("flow", f"flow '{flow.id}' has no profile section")
    if len(flow.profile.indicators) > MAX_INDICATORS:
        raise InvalidInput("flow", f"a profile may have at most {MAX_INDICATORS} indicators, not {len(flow.profile.indicators)}")
    return flow.profile
