"""Every back end of the condition language (Python, SQL on SQLite and PostgreSQL, numpy) gives the same answers."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from flows.expr import parse
from flows.expr_numpy import factorize, holds
from flows.expr_sql import predicate_sql
from palabre.config import normalise_database_url

NAMES = ("a", "b", "c")
MISSING = object()  # the question was not answered: the key is absent
# "x :y": constants are inlined in the SQL, where SQLAlchemy's text() must not read ":y" as a parameter.
SCALARS = st.sampled_from(["x", "y", "", "nobody", "x :y", 0, 1, 2, -1, 2.5, 1.0, 0.0, True, False])
ANSWER = st.one_of(SCALARS, st.just(None), st.just(MISSING),
                   st.lists(st.sampled_from(["x", "y", "nobody", "x :y"]), max_size=3, unique=True))
LITERALS = ["'x'", "'y'", "''", "'nobody'", "'x :y'", "0", "1", "2", "-1", "2.5", "1.0", "true", "false", "null"]
LISTS = ["['x', 'y']", "['nobody']", "['x :y', 'x']", "[]", "[1, 2]", "[1.0, 'x', true]", "[false]"]
OPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"]


def _operand() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(NAMES), st.sampled_from(LITERALS))


def _comparison() -> st.SearchStrategy[str]:
    simple = st.tuples(_operand(), st.sampled_from(OPS), _operand()).map(" ".join)
    in_list = st.tuples(_operand(), st.sampled_from(["in", "not in"]), st.sampled_from(LISTS)).map(" ".join)
    return st.one_of(simple, in_list, _operand())


EXPRESSIONS = st.recursive(
    _comparison(),
    lambda inner: st.one_of(
        inner.map(lambda e: f"not ({e})"),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        st.tuples(inner, st.sampled_from(["==", "!="]), st.sampled_from(["true", "false", "a"])).map(
            lambda t: f"({t[0]}) {t[1]} {t[2]}"),
    ),
    max_leaves=6,
)
ROWS = st.lists(st.fixed_dictionaries({name: ANSWER for name in NAMES}), min_size=1, max_size=12)


def _answers(row: dict) -> dict:
    return {name: value for name, value in row.items() if value is not MISSING}


def _engines():
    engines = {"sqlite": create_engine("sqlite://")}
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engines["postgresql"] = create_engine(normalise_database_url(url))
    return engines


ENGINES = _engines()


def _sql_results(engine, source: str, rows: list[dict], jsonb: bool = False) -> list[bool]:
    dialect = engine.dialect.name
    params: dict = {}
    # Answers as JSON text, as the facts query reads them (jsonb's canonical text on PostgreSQL),
    # with jsonb: and as the jsonb itself, as the facts query reads an answer on its own row.
    columns = {name: f"CAST(t.{name} AS text)" if dialect == "postgresql" else f"t.{name}" for name in NAMES}
    predicate = predicate_sql(parse(source), dialect, columns, params, {name: f"t.{name}" for name in NAMES} if jsonb else None)
    cast = "CAST({} AS jsonb)" if dialect == "postgresql" else "{}"
    selects = []
    for i, row in enumerate(rows):
        cells = [f"{i} AS n"]
        for name in NAMES:
            value = row[name]
            if value is MISSING:
                cells.append(f"{cast.format('NULL')} AS {name}")  # no answer row: the join gives SQL NULL
            else:
                params[f"v{i}{name}"] = json.dumps(value)  # an answer recorded as JSON (null when invalid)
                cells.append(f"{cast.format(f':v{i}{name}')} AS {name}")
        selects.append("SELECT " + ", ".join(cells))
    statement = f"SELECT t.n, {predicate} FROM ({' UNION ALL '.join(selects)}) AS t ORDER BY t.n"
    with engine.connect() as connection:
        return [bool(result) for _, result in connection.execute(text(statement), params)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=EXPRESSIONS, rows=ROWS)
def test_sql_and_numpy_agree_with_the_python_evaluator(source, rows):
    expression = parse(source)
    expected = [expression.test(_answers(row)) for row in rows]
    columns = {name: factorize([row[name] if row[name] is not MISSING else None for row in rows]) for name in NAMES}
    assert holds(expression, columns, len(rows)).tolist() == expected, source
    for dialect, engine in ENGINES.items():
        assert _sql_results(engine, source, rows) == expected, (dialect, source)
        if dialect == "postgresql":
            assert _sql_results(engine, source, rows, jsonb=True) == expected, (dialect, "jsonb", source)


@pytest.mark.parametrize("source, answers, expected", [
    ("a > 60", {"a": 75}, True),
    ("a > 60", {}, False),  # missing: comparisons are false
    ("not (a > 60)", {}, True),  # ... so their negation is true, never SQL's unknown
    ("a == null", {"a": None}, True),
    ("a != null", {}, False),
    ("'nobody' in a", {"a": ["x", "nobody"]}, True),
    ("'nobody' in a", {"a": "nobody"}, False),  # a string is not a list
    ("a in ['x', 'y']", {"a": "x"}, True),
    ("a == 1", {"a": True}, False),  # booleans are not numbers
    ("a == 1", {"a": 1.0}, True),
    ("a == b", {"a": ["x", "y"], "b": ["y", "x"]}, True),  # lists compare as sets
    ("a < 'z'", {"a": "b"}, False),  # only numbers are ordered
])
@pytest.mark.parametrize("dialect", sorted(ENGINES))
def test_documented_rules_hold_in_sql(dialect, source, answers, expected):
    row = {name: answers.get(name, MISSING) for name in NAMES}
    assert parse(source).test(answers) is expected
    assert _sql_results(ENGINES[dialect], source, [row]) == [expected]
    assert _sql_results(ENGINES[dialect], source, [row], jsonb=dialect == "postgresql") == [expected]
