"""The completion funnel: invited, started, consented, completed, and where the others stopped."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from flows.model import Flow, Question
from flows.state import ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT

# The slices of the funnel: everyone, then by each of these conversation attributes.
BY = ("channel", "language")


@dataclass(frozen=True)
class Unfinished:
    """A conversation that did not complete, with what it had answered."""

    channel: str | None
    language: str | None
    status: str
    answers: Mapping[str, Any]
    current: str | None = None  # the question awaiting an answer, when known
    history: tuple[str, ...] = ()  # questions answered or skipped, in order, when known
    idle: bool = True  # for an active conversation: unanswered long enough to count as dropped
    count: int = 1  # identical conversations this record stands for (a file's repeated rows)


@dataclass
class _Tally:
    started: int = 0
    consented: int = 0
    completed: int = 0
    declined: int = 0
    opted_out: int = 0
    in_progress: int = 0
    dropped: int = 0
    dropped_at: Counter = field(default_factory=Counter)


def consent_gate(flow: Flow) -> Question | None:
    """The first question that can end the conversation (`end_if`): the consent question."""
    return next((q for q in flow.questions if q.end_if is not None), None)


def next_question(flow: Flow, answers: Mapping[str, Any], after: str | None) -> str | None:
    """The question a conversation would ask after `after` (None: from the start), honouring `when`."""
    start = flow.index(after) + 1 if after is not None else 0
    for question in flow.questions[start:]:
        if question.when is None or question.when.test(answers):
            return question.id
    return None


def awaiting_question(flow: Flow, record: Unfinished) -> str | None:
    """Where an unfinished conversation stopped: its current question, or the next after the last answered."""
    if record.current is not None:
        return record.current
    known = {q.id for q in flow.questions}
    if record.history:
        after = next((q for q in reversed(record.history) if q in known), None)
    else:
        answered = [flow.index(q) for q in record.answers if q in known]
        after = flow.questions[max(answered)].id if answered else None
    return next_question(flow, record.answers, after)


def passed_gate(gate: Question | None, answers: Mapping[str, Any]) -> bool:
    """Whether the consent question was answered without ending the conversation."""
    if gate is None:
        return True
    return answers.get(gate.id) is not None and not gate.end_if.test(answers)  # type: ignore[union-attr]


def completion_funnel(
    flow: Flow,
    status_counts: Iterable[tuple[str | None, str | None, str, int]],
    unfinished: Iterable[Unfinished],
    invited: Mapping[str, int] | None = None,
) -> dict:
    """The funnel overall and by channel and language, from counts by (channel, language, status)."""
    tallies: dict[tuple, _Tally] = defaultdict(_Tally)
    gate = consent_gate(flow)
    for channel, language, status, count in status_counts:
        for key in _keys(channel, language):
            tally = tallies[key]
            tally.started += count
            if status == COMPLETED:
                tally.completed += count
                tally.consented += count
            elif status == DECLINED:
                tally.declined += count
            elif status == OPTED_OUT:
                tally.opted_out += count
    for record in unfinished:
        passed = passed_gate(gate, record.answers)
        dropped = record.status == EXPIRED or (record.status == ACTIVE and record.idle)
        where = awaiting_question(flow, record) if dropped else None
        for key in _keys(record.channel, record.language):
            tally = tallies[key]
            tally.consented += passed * record.count
            if record.status == ACTIVE and not record.idle:
                tally.in_progress += record.count
            elif dropped:
                tally.dropped += record.count
                tally.dropped_at[where or "(end)"] += record.count
    order = {q.id: i for i, q in enumerate(flow.questions)}
    result = {"overall": _json(tallies[("overall", None)], _invited(invited, None), order)}
    for index, attribute in enumerate(BY):
        values = sorted({key[1] for key in tallies if key[0] == attribute}, key=lambda v: (v is None, str(v)))
        result[attribute] = [
            {"value": value, **_json(tallies[(attribute, value)], _invited(invited, value) if attribute == "channel" else None, order)}
            for value in values
        ]
    return result


def _keys(channel: str | None, language: str | None) -> tuple:
    return (("overall", None), ("channel", channel), ("language", language))


def _invited(invited: Mapping[str, int] | None, channel: str | None) -> int | None:
    # Invitations know their channel but not the language the citizen will choose.
    if invited is None:
        return None
    return sum(invited.values()) if channel is None else invited.get(channel, 0)


def _json(tally: _Tally, invited: int | None, order: Mapping[str, int]) -> dict:
    return {
        "invited": invited,
        "started": tally.started,
        "consented": tally.consented,
        "completed": tally.completed,
        "declined": tally.declined,
        "opted_out": tally.opted_out,
        "in_progress": tally.in_progress,
        "dropped": tally.dropped,
        "dropped_at": {q: tally.dropped_at[q] for q in sorted(tally.dropped_at, key=lambda q: order.get(q, len(order)))},
    }
