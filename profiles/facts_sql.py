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


def fact_sql(flow: Flow, dialect: str, names: Mapping[str, str], variables: Iterable[str] | None = None) -> FactSQL:
    """SQL for the groups text (of `variables`, fact_variables by default), deprivation mask and helper mask."""
    profile = _profile(flow)
    params: dict = {}
    bits = [f"(CASE WHEN {predicate_sql(indicator.deprived_if, dialect, names, params)} THEN {1 << bit} ELSE 0 END)"
            for bit, indicator in enumerate(profile.indicators)]
    deprived = " + ".join(bits) or "0"
    if dialect == "postgresql":
        deprived = f"CAST({deprived} AS bigint)"
    variables = fact_variables(flow) if variables is None else tuple(variables)
    groups = [_group_json(flow, dialect, group, names.get(group), params) for group in variables]
    groups_text = " || ',' || ".join(groups) if groups else "''"
    return FactSQL(f"('[' || {groups_text} || ']')", deprived, _helpers(flow, dialect, names, params), params)


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


def _helpers(flow: Flow, dialect: str, names: Mapping[str, str], params: dict) -> str:
    question = helper_question(flow)
    json_sql = names.get(question.id) if question is not None else None
    if question is None or json_sql is None:
        return "NULL"
    value = json_value(dialect, json_sql)
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
