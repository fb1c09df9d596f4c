"""A response's Fact as SQL, so the database reduces the answers while it reads them (see profiles.facts).

The columns hold exactly what FactMaker and encode_groups give in Python: the groups as the same
compact JSON text, the deprivation bits from flows.expr_sql, the helper mask. Each name is given as
SQL yielding the answer's JSON text (jsonb's canonical text on PostgreSQL), NULL when unanswered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flows.expr_sql import json_value, predicate_sql, quoted_json
from flows.model import Flow
from profiles.facts import _profile, _question_ids, fact_variables, helper_question


@dataclass(frozen=True)
class FactSQL:
    """The select-list expressions of a Fact, and the values they bind."""

    groups: str
    deprived: str
    helpers: str
    params: dict


@dataclass(frozen=True)
class AnswerSQL:
    """What one answer row decides of its response's Fact, to be aggregated per response.

    An indicator whose condition names a single question holds or not from that question's answer
    alone (one row at most per question and response), so its bit can be computed on the answer's
    row and OR-ed per response, instead of pivoting every answer into a column first.
    `deprived` has the bit of each such indicator whose value on this answer differs from its value
    when the question is unanswered (`unanswered`): the response's bits are then `unanswered` XOR
    the OR of its rows, whichever answers it lacks. `helpers` is the helper mask on the helper's row
    (NULL on the others, and when the answer is null).
    """

    deprived: str
    helpers: str | None
    unanswered: int  # bits of the row-decided indicators that hold when their question is unanswered
    decided: frozenset[int]  # the bit numbers decided on answer rows
    questions: frozenset[str]  # the questions whose rows decide something
    params: dict


def answer_sql(flow: Flow, dialect: str, question_sql: str, json_sql: str, jsonb_sql: str | None = None) -> AnswerSQL:
    """SQL on one answer row (its question id, its JSON text, on PostgreSQL also its jsonb) for AnswerSQL."""
    profile = _profile(flow)
    params: dict = {}
    questions = _question_ids(flow)
    by_question: dict[str, list[str]] = {}
    unanswered, decided = 0, set()
    for bit, indicator in enumerate(profile.indicators):
        names = indicator.deprived_if.names
        if len(names) != 1 or not names <= questions:
            continue  # several names, or a built-in (channel, language): read from the pivot
        (question,) = names
        holds_unanswered = indicator.deprived_if.test({})
        jsonb = {question: jsonb_sql} if jsonb_sql else None
        predicate = predicate_sql(indicator.deprived_if, dialect, {question: json_sql}, params, jsonb)
        differs = f"(CASE WHEN {predicate} THEN {0 if holds_unanswered else 1 << bit} ELSE {1 << bit if holds_unanswered else 0} END)"
        by_question.setdefault(question, []).append(differs)
        unanswered |= (1 << bit) if holds_unanswered else 0
        decided.add(bit)
    whens = " ".join(f"WHEN {_bind(params, question)} THEN {' + '.join(parts)}" for question, parts in by_question.items())
    deprived = f"(CASE {question_sql} {whens} ELSE 0 END)" if whens else "0"
    if dialect == "postgresql":
        deprived = f"CAST({deprived} AS bigint)"
    helper = helper_question(flow)
    helpers = None
    if helper is not None:
        mask = _helpers(flow, dialect, {helper.id: json_sql}, params, jsonb_sql)
        helpers = f"(CASE WHEN {question_sql} = {_bind(params, helper.id)} THEN {mask} END)"
    touched = set(by_question) | ({helper.id} if helper is not None else set())
    return AnswerSQL(deprived, helpers, unanswered, frozenset(decided), frozenset(touched), params)


def fact_sql(flow: Flow, dialect: str, names: Mapping[str, str], variables: Iterable[str] | None = None,
             answers: AnswerSQL | None = None, aggregated: tuple[str, str] | None = None) -> FactSQL:
    """SQL for the groups text (of `variables`, fact_variables by default), deprivation mask and helper mask.

    With `answers` (what the answer rows decide) and `aggregated` (SQL of its deprived column OR-ed
    per response, and of its helpers column, both NULL for a response without answers), the
    indicators and helper mask decided on the rows are read from those instead of from `names`.
    """
    profile = _profile(flow)
    params: dict = dict(answers.params) if answers is not None else {}
    decided = answers.decided if answers is not None else frozenset()
    bits = [f"(CASE WHEN {predicate_sql(indicator.deprived_if, dialect, names, params)} THEN {1 << bit} ELSE 0 END)"
            for bit, indicator in enumerate(profile.indicators) if bit not in decided]
    if answers is not None and aggregated is not None and decided:
        rows = f"COALESCE({aggregated[0]}, 0)"
        # XOR, spelt with | & and - for SQLite: the bits that hold unanswered, flipped by the answers.
        bits.append(f"(({answers.unanswered} | {rows}) - ({answers.unanswered} & {rows}))")
    deprived = " + ".join(bits) or "0"
    if dialect == "postgresql":
        deprived = f"CAST({deprived} AS bigint)"
    variables = fact_variables(flow) if variables is None else tuple(variables)
    groups = [_group_json(flow, dialect, group, names.get(group), params) for group in variables]
    groups_text = " || ',' || ".join(groups) if groups else "''"
    if answers is not None and aggregated is not None and answers.helpers is not None:
        helpers = aggregated[1]
    else:
        helpers = _helpers(flow, dialect, names, params)
    return FactSQL(f"('[' || {groups_text} || ']')", deprived, helpers, params)


def _bind(params: dict, value: object) -> str:
    name = f"g{len(params)}"
    while name in params:
        name += "_"
    params[name] = value
    return f":{name}"


def _group_json(flow: Flow, dialect: str, group: str, json_sql: str | None, params: dict) -> str:
    """The value's text as encode_groups writes it (json.dumps, ensure_ascii=False)."""
    if json_sql is None:
        return "'null'"
    value = json_value(dialect, json_sql)
    if group in _question_ids(flow) and flow.question(group).type == "number":
        question = flow.question(group)
        labels = [_bind(params, json.dumps(label, ensure_ascii=False)) for label in question.band_labels()]
        edges = [repr(edge) for edge in question.bands]
        if dialect == "postgresql":
            # width_bucket: 0 below the first edge, i from edge i-1 on: the index of the band's label.
            bounds = ", ".join(f"CAST('{edge}' AS numeric)" for edge in edges)
            choices = ", ".join(f"CAST({label} AS text)" for label in labels)
            return (f"COALESCE((ARRAY[{choices}])[width_bucket({value.num}, ARRAY[{bounds}]) + 1], 'null')")
        steps = " ".join(f"WHEN {value.num} < {edge} THEN {label}" for edge, label in zip(edges, labels))
        return f"(CASE WHEN {value.num} IS NULL THEN 'null' {steps} ELSE {labels[-1]} END)"
    if dialect == "postgresql":
        # jsonb prints a string, number or boolean as json.dumps does (groups hold no lists).
        return f"COALESCE({json_sql}, 'null')"
    # SQLite keeps the stored text, which may escape non-ASCII: quote the string again, as Python does.
    return (f"COALESCE(CASE {value.kind} WHEN 's' THEN json_quote({value.text}) WHEN 'n' THEN json({json_sql})"
            f" WHEN 'b' THEN json({json_sql}) WHEN 'a' THEN json({json_sql}) WHEN 'o' THEN json({json_sql}) END, 'null')")


def _helpers(flow: Flow, dialect: str, names: Mapping[str, str], params: dict, jsonb_sql: str | None = None) -> str:
    question = helper_question(flow)
    json_sql = names.get(question.id) if question is not None else None
    if question is None or json_sql is None:
        return "NULL"
    value = json_value(dialect, json_sql, jsonb_sql)
    bits = []
    for bit, choice in enumerate(question.choices):
        if dialect == "postgresql":
            # A list contains the code, or the single answer is the code (jsonb containment does both).
            chosen = f"COALESCE({value.json} @> CAST({quoted_json(choice.code)} AS jsonb), FALSE)"
        else:
            code = _bind(params, choice.code)
            chosen = f"EXISTS (SELECT 1 FROM json_each({json_sql}) AS h WHERE h.type = 'text' AND h.value = {code})"
        bits.append(f"(CASE WHEN {chosen} THEN {1 << bit} ELSE 0 END)")
    return f"(CASE WHEN {value.kind} IS NULL THEN NULL ELSE {' + '.join(bits) or '0'} END)"
