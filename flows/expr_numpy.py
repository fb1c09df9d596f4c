"""Evaluate a condition (flows.expr) over whole columns of answers at once, with numpy.

A column is factorised: each row holds an index into the column's distinct values. Most columns of
a consultation hold a handful of distinct answers among a million rows, so each comparison is
decided once per distinct value (or distinct pair of values) by the same rules as Expression.test,
and spread to the rows by indexing: identical results, with no Python work per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from flows.expr import _COMPARATORS, Compare, Expression, Literal, Logic, Name, Node, Not, _is_null_literal, _truthy

# Distinct pairs decided through a full table up to this size; beyond it, only the pairs present.
PAIR_TABLE_LIMIT = 1 << 16
_BOOLEANS = (False, True)


@dataclass(frozen=True)
class Column:
    """One value per row: values[codes[row]]."""

    codes: np.ndarray  # integer indexes into values, one per row
    values: Sequence[object]


def constant(value: object, rows: int) -> Column:
    """A column holding the same value in every row (without a row-sized allocation)."""
    return Column(np.broadcast_to(np.intp(0), (rows,)), (value,))


def factorize(values: Sequence[object]) -> Column:
    """A column from one value per row (values compared by equality, so distinct by type and value)."""
    index: dict = {}
    distinct: list = []
    codes = np.empty(len(values), dtype=np.intp)
    for row, value in enumerate(values):
        key = (type(value), value if not isinstance(value, list) else tuple(value))
        code = index.get(key)
        if code is None:
            code = index[key] = len(distinct)
            distinct.append(value)
        codes[row] = code
    return Column(codes, distinct)


def holds(expression: Expression, columns: Mapping[str, Column], rows: int) -> np.ndarray:
    """A boolean per row: whether expression.test holds for that row's answers (missing column: null)."""
    return _truthy_rows(_Evaluator(columns, rows).column(expression.tree))


class _Evaluator:
    def __init__(self, columns: Mapping[str, Column], rows: int):
        self.columns, self.rows = columns, rows

    def column(self, node: Node) -> Column:
        if isinstance(node, Literal):
            return constant(node.value, self.rows)
        if isinstance(node, Name):
            return self.columns.get(node.name) or constant(None, self.rows)
        if isinstance(node, Not):
            return _booleans(~_truthy_rows(self.column(node.operand)))
        if isinstance(node, Logic):
            combine = np.logical_and if node.op == "and" else np.logical_or
            result = _truthy_rows(self.column(node.operands[0]))
            for operand in node.operands[1:]:
                result = combine(result, _truthy_rows(self.column(operand)))
            return _booleans(result)
        return self.compare(node)

    def compare(self, node: Compare) -> Column:
        left, right = self.column(node.left), self.column(node.right)
        decide = _decider(node)
        width = len(right.values)
        pairs = left.codes.astype(np.int64) * width + right.codes
        if len(left.values) * width <= PAIR_TABLE_LIMIT:
            table = np.array([decide(a, b) for a in left.values for b in right.values], dtype=bool)
            return _booleans(table[pairs])
        present, inverse = np.unique(pairs, return_inverse=True)
        table = np.array([decide(left.values[p // width], right.values[p % width]) for p in present.tolist()], dtype=bool)
        return _booleans(table[inverse.reshape(-1)])


def _decider(node: Compare):
    """Compare.evaluate for two already computed values (the null-literal rule depends on the node)."""
    if node.op in ("==", "!=") and (_is_null_literal(node.left) or _is_null_literal(node.right)):
        equal = node.op == "=="
        return lambda a, b: (a is None and b is None) == equal
    compare = _COMPARATORS[node.op]
    return lambda a, b: a is not None and b is not None and bool(compare(a, b))


def _truthy_rows(column: Column) -> np.ndarray:
    table = np.array([_truthy(value) for value in column.values], dtype=bool)
    return table[column.codes]


def _booleans(mask: np.ndarray) -> Column:
    return Column(mask.astype(np.intp), _BOOLEANS)
