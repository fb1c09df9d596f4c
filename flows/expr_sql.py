"""Compile a condition (flows.expr) to SQL, so the database tests it while reading the answers.

The SQL holds exactly when Expression.test holds, with the same rules: a comparison with a missing
or null answer is false (unless with the null literal), values of different kinds are never equal,
only numbers are ordered, lists compare as sets, and every predicate is two-valued (never SQL NULL,
so `not` keeps its meaning). Each name is given as SQL yielding the answer's JSON text (on
PostgreSQL, jsonb's canonical text: `value::text`) or NULL when missing; literals become bound
parameters. On PostgreSQL the text is read as is (its first character gives the kind, strings
compare as canonical JSON), since parsing a jsonb per answer and comparison doubled the cost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from flows.expr import _COMPARATORS, Compare, Expression, Literal, Logic, Name, Node, Not, _is_null_literal, _kind, _truthy

DIALECTS = ("postgresql", "sqlite")
TRUE, FALSE = "TRUE", "FALSE"


@dataclass(frozen=True)
class Value:
    """An operand computed by the database: its kind ('s', 'n', 'b', 'a', 'o', NULL when null) and views."""

    kind: str
    text: str  # the string, when kind is 's' (JSON-quoted when quoted is true)
    num: str  # the number, when kind is 'n'
    boolean: str  # the boolean, when kind is 'b'
    json: str | None  # the JSON value itself (jsonb on PostgreSQL); None for a computed boolean
    quoted: bool = False


def predicate_sql(expression: Expression, dialect: str, names: Mapping[str, str], params: dict,
                  jsonb: Mapping[str, str] | None = None) -> str:
    """SQL that is TRUE exactly when expression.test(answers) is; adds its bound values to params.

    jsonb: on PostgreSQL, the jsonb of those names whose value is at hand as jsonb too (the text is
    then not parsed again for containment tests).
    """
    return _Compiler(dialect, names, params, jsonb or {}).truthy(expression.tree)


def json_value(dialect: str, json_sql: str, jsonb_sql: str | None = None) -> Value:
    """The views of a JSON value (an answer, as JSON text; on PostgreSQL, optionally also as jsonb) that comparisons use."""
    if dialect == "postgresql":
        t = json_sql
        kind = (f"(CASE WHEN {t} IS NULL THEN NULL ELSE CASE left({t}, 1) WHEN '\"' THEN 's' WHEN '[' THEN 'a'"
                f" WHEN '{{' THEN 'o' WHEN 't' THEN 'b' WHEN 'f' THEN 'b' WHEN 'n' THEN NULL ELSE 'n' END END)")
        number = f"(CASE WHEN left({t}, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN CAST({t} AS numeric) END)"
        return Value(kind, t, number, f"({t} = 'true')", jsonb_sql or f"CAST({t} AS jsonb)", quoted=True)
    if dialect != "sqlite":
        raise ValueError(f"no SQL for dialect {dialect!r} (one of {', '.join(DIALECTS)})")
    kind = (f"(CASE json_type({json_sql}) WHEN 'text' THEN 's' WHEN 'integer' THEN 'n' WHEN 'real' THEN 'n'"
            f" WHEN 'true' THEN 'b' WHEN 'false' THEN 'b' WHEN 'array' THEN 'a' WHEN 'object' THEN 'o' END)")
    extracted = f"json_extract({json_sql}, '$')"
    number = f"(CASE WHEN json_type({json_sql}) IN ('integer', 'real') THEN {extracted} END)"
    return Value(kind, extracted, number, f"(json_type({json_sql}) = 'true')", json_sql)


class _Compiler:
    def __init__(self, dialect: str, names: Mapping[str, str], params: dict, jsonb: Mapping[str, str]):
        if dialect not in DIALECTS:
            raise ValueError(f"no SQL for dialect {dialect!r} (one of {', '.join(DIALECTS)})")
        self.dialect, self.names, self.params, self.jsonb = dialect, names, params, jsonb
        self.aliases = 0

    def bind(self, value: object) -> str:
        name = f"x{len(self.params)}"
        while name in self.params:
            name += "_"
        self.params[name] = value
        return f":{name}"

    def string(self, value: str, quoted: bool) -> str:
        """A string constant; quoted: as PostgreSQL prints it in JSON (folded once per statement)."""
        return quoted_json(value) if quoted else self.bind(value)

    def number(self, value: object) -> str:
        # Inline and exact: a float parameter would compare PostgreSQL's numeric through double precision.
        return f"CAST('{value!r}' AS numeric)" if self.dialect == "postgresql" else repr(value)

    # Operands: a Python constant (a literal, folded at compile time), a Value, or a boolean predicate.

    def operand(self, node: Node) -> object:
        if isinstance(node, Literal):
            return _Const(node.value)
        if isinstance(node, Name):
            json_sql = self.names.get(node.name)
            return _Const(None) if json_sql is None else json_value(self.dialect, json_sql, self.jsonb.get(node.name))
        return self.boolean_value(self.truthy_or_bool(node))

    def boolean_value(self, predicate: str) -> Value:
        if predicate in (TRUE, FALSE):
            return _Const(predicate == TRUE)  # type: ignore[return-value]
        none = "CAST(NULL AS numeric)" if self.dialect == "postgresql" else "NULL"
        text = "CAST(NULL AS text)" if self.dialect == "postgresql" else "NULL"
        return Value("'b'", text, none, predicate, None, quoted=self.dialect == "postgresql")

    def truthy_or_bool(self, node: Node) -> str:
        """A Not, Logic or Compare node as a predicate (their values are booleans)."""
        if isinstance(node, Not):
            inner = self.truthy(node.operand)
            return _not(inner)
        if isinstance(node, Logic):
            parts = [self.truthy(child) for child in node.operands]
            return _logic(node.op, parts)
        if isinstance(node, Compare):
            return self.compare(node)
        raise TypeError(f"not a boolean node: {node!r}")

    def truthy(self, node: Node) -> str:
        if isinstance(node, (Not, Logic, Compare)):
            return self.truthy_or_bool(node)
        value = self.operand(node)
        if isinstance(value, _Const):
            return TRUE if _truthy(value.value) else FALSE
        return self.value_truthy(value)

    def value_truthy(self, v: Value) -> str:
        if self.dialect == "postgresql":
            length, empty_object = f"jsonb_array_length({v.json}) > 0", f"{v.json} <> '{{}}'::jsonb"
        else:
            length, empty_object = f"json_array_length({v.json}) > 0", f"json({v.json}) <> '{{}}'"
        empty = "'\"\"'" if v.quoted else "''"
        return (f"COALESCE(CASE {v.kind} WHEN 's' THEN {v.text} <> {empty} WHEN 'n' THEN {v.num} <> 0"
                f" WHEN 'b' THEN {v.boolean} WHEN 'a' THEN {length} WHEN 'o' THEN {empty_object} ELSE FALSE END, FALSE)")

    # Comparisons, following Compare.evaluate and flows.expr._COMPARATORS.

    def compare(self, node: Compare) -> str:
        left, right = self.operand(node.left), self.operand(node.right)
        if node.op in ("==", "!=") and (_is_null_literal(node.left) or _is_null_literal(node.right)):
            both_null = _logic("and", [self.is_null(left), self.is_null(right)])
            return both_null if node.op == "==" else _not(both_null)
        if isinstance(left, _Const) and isinstance(right, _Const):
            if left.value is None or right.value is None:
                return FALSE
            return TRUE if _COMPARATORS[node.op](left.value, right.value) else FALSE
        # Every test below is false when an operand is null (its kind is), except the negations.
        present = [self.not_null(v) for v in (left, right)] if node.op in ("!=", "not in") else []
        if node.op == "==":
            test = self.equal(left, right)
        elif node.op == "!=":
            test = _not(self.equal(left, right))
        elif node.op == "in":
            test = self.member(left, right)
        elif node.op == "not in":
            test = _logic("and", [self.is_collection(right), _not(self.member(left, right))])
        else:
            test = self.ordered(node.op, left, right)
        return _logic("and", [*present, test])

    def is_null(self, v: object) -> str:
        if isinstance(v, _Const):
            return TRUE if v.value is None else FALSE
        return f"({v.kind} IS NULL)" if v.json is not None else FALSE  # type: ignore[attr-defined]

    def not_null(self, v: object) -> str:
        return _not(self.is_null(v))

    def is_collection(self, v: object) -> str:
        if isinstance(v, _Const):
            return TRUE if _kind(v.value) == "collection" else FALSE
        return f"COALESCE({v.kind} = 'a', FALSE)"  # type: ignore[attr-defined]

    def ordered(self, op: str, left: object, right: object) -> str:
        sides = []
        for v in (left, right):
            if isinstance(v, _Const):
                if _kind(v.value) != "number":
                    return FALSE
                sides.append(self.number(v.value))
            else:
                sides.append(v.num)  # type: ignore[attr-defined]
        return f"COALESCE({sides[0]} {op} {sides[1]}, FALSE)"

    def equal(self, a: object, b: object) -> str:
        if isinstance(a, _Const):
            a, b = b, a
        if isinstance(b, _Const):
            return self.equal_constant(a, b.value)  # type: ignore[arg-type]
        return self.equal_values(a, b)  # type: ignore[arg-type]

    def equal_constant(self, v: Value, constant: object) -> str:
        kind = _kind(constant)
        if v.quoted and v.json is not None and kind in ("string", "bool"):
            # Canonical JSON text: equal text is equal kind and value.
            return f"COALESCE({v.text} = {self.string(constant, True) if kind == 'string' else repr(json.dumps(constant))}, FALSE)"
        if kind == "string":
            return f"COALESCE({v.kind} = 's' AND {v.text} = {self.string(constant, v.quoted)}, FALSE)"
        if kind == "number":  # num is null unless the value is a number
            return f"COALESCE({v.num} = {self.number(constant)}, FALSE)"
        if kind == "bool":
            test = v.boolean if constant else _not(f"COALESCE({v.boolean}, FALSE)")
            return f"COALESCE({v.kind} = 'b' AND {test}, FALSE)"
        if kind == "collection" and v.json is not None:
            return self.same_set(v, self.constant_json(list(constant)))  # type: ignore[call-overload]
        return FALSE

    def equal_values(self, a: Value, b: Value) -> str:
        arrays = self.same_set(a, b) if a.json is not None and b.json is not None else FALSE
        return (f"COALESCE({a.kind} = {b.kind} AND CASE {a.kind} WHEN 's' THEN {a.text} = {b.text}"
                f" WHEN 'n' THEN {a.num} = {b.num} WHEN 'b' THEN {a.boolean} = {b.boolean}"
                f" WHEN 'a' THEN {arrays} ELSE FALSE END, FALSE)")

    def constant_json(self, values: list) -> Value:
        text = self.bind(json.dumps(values))
        return json_value(self.dialect, f"CAST(CAST({text} AS jsonb) AS text)" if self.dialect == "postgresql" else f"json({text})")

    def same_set(self, a: Value, b: Value) -> str:
        # Answers hold flat lists (multi-choice codes): equal as sets when each contains the other.
        if self.dialect == "postgresql":
            return f"COALESCE({a.json} @> {b.json} AND {b.json} @> {a.json}, FALSE)"
        return _logic("and", [self.subset(a, b), self.subset(b, a)])

    def subset(self, a: Value, b: Value) -> str:
        x = self.element(a)
        return f"NOT EXISTS (SELECT 1 FROM json_each({a.json}) AS {x[0]} WHERE {_not(self.contains(b, x[1]))})"

    def element(self, container: Value) -> tuple[str, Value]:
        """An alias over json_each(container) and the Value of its element (SQLite)."""
        self.aliases += 1
        alias = f"e{self.aliases}"
        kind = (f"(CASE {alias}.type WHEN 'text' THEN 's' WHEN 'integer' THEN 'n' WHEN 'real' THEN 'n'"
                f" WHEN 'true' THEN 'b' WHEN 'false' THEN 'b' WHEN 'array' THEN 'a' WHEN 'object' THEN 'o' END)")
        number = f"(CASE WHEN {alias}.type IN ('integer', 'real') THEN {alias}.value END)"
        return alias, Value(kind, f"{alias}.value", number, f"({alias}.type = 'true')", None)

    def contains(self, container: Value, item: object) -> str:
        """Whether an element of the list `container` equals item (SQLite; container known to be a list)."""
        alias, element = self.element(container)
        return f"EXISTS (SELECT 1 FROM json_each({container.json}) AS {alias} WHERE {self.equal(element, item)})"

    def member(self, item: object, container: object) -> str:
        if isinstance(container, _Const):
            if _kind(container.value) != "collection":
                return FALSE
            if isinstance(item, _Const):
                return TRUE if _COMPARATORS["in"](item.value, container.value) else FALSE
            if item.quoted and item.json is not None and all(_kind(x) == "string" for x in container.value):  # type: ignore[attr-defined]
                listed = ", ".join(self.string(x, True) for x in container.value)  # type: ignore[attr-defined]
                return f"COALESCE({item.text} IN ({listed}), FALSE)" if listed else FALSE  # type: ignore[attr-defined]
            return _logic("or", [self.equal_constant(item, value) for value in container.value])  # type: ignore[arg-type, attr-defined]
        is_list = self.is_collection(container)
        if self.dialect == "sqlite":
            return _logic("and", [is_list, self.contains(container, item)])  # type: ignore[arg-type]
        if isinstance(item, _Const):
            wanted = f"CAST({_inline(json.dumps([item.value], ensure_ascii=False))} AS jsonb)"
        elif item.json is not None:  # type: ignore[attr-defined]
            wanted = f"jsonb_build_array({item.json})"  # type: ignore[attr-defined]
        else:
            wanted = f"jsonb_build_array({item.boolean})"  # type: ignore[attr-defined]
        # jsonb containment: an element equal to item; numbers compare as numbers, kinds never mix.
        return _logic("and", [is_list, f"COALESCE({container.json} @> {wanted}, FALSE)"])  # type: ignore[attr-defined]


def quoted_json(value: object) -> str:
    """PostgreSQL's canonical JSON text of a constant, as an inline constant the planner folds.

    Inline rather than bound: once psycopg prepares the statement (its fifth run), a generic plan
    would cast a bound value again for every row. Quotes are doubled, the SQL standard's escape.
    """
    return f"CAST(CAST({_inline(json.dumps(value, ensure_ascii=False))} AS jsonb) AS text)"


def _inline(text: str) -> str:
    """A string constant inline in the SQL (see quoted_json), quotes doubled as the SQL standard escapes them.

    Colons are escaped for SQLAlchemy's text(), which would read ':name' as a parameter.
    """
    return "'" + text.replace("'", "''").replace(":", "\\:") + "'"


@dataclass(frozen=True)
class _Const:
    value: object


def _not(predicate: str) -> str:
    if predicate in (TRUE, FALSE):
        return FALSE if predicate == TRUE else TRUE
    return f"(NOT {predicate})"


def _logic(op: str, parts: list[str]) -> str:
    absorbing, neutral = (FALSE, TRUE) if op == "and" else (TRUE, FALSE)
    if absorbing in parts:
        return absorbing
    kept = [p for p in parts if p != neutral]
    if not kept:
        return neutral
    return kept[0] if len(kept) == 1 else "(" + f" {op.upper()} ".join(kept) + ")"
