"""The offline profile: from a responses CSV (the export's columns) to the profile JSON."""

from __future__ import annotations

import io
import math
from collections import Counter
from typing import IO, Mapping

import numpy as np

from flows.model import Flow
from flows.state import COMPLETED
from profiles.cells import cells_from_counts
from flows.expr_numpy import Column, constant, holds
from profiles.facts import FactMaker, fact_variables, group_value, helper_mask, helper_question
from profiles.funnel import Unfinished, completion_funnel, consent_gate
from profiles.report import build_profile
from profiles.responses_columns import Progress, ResponseColumns, read_columns
from profiles.responses_csv import read_responses
from profiles.weighting import DEFAULT_TRIM_RATIO


def profile_from_csv(
    flow: Flow,
    stream: IO[str],
    min_cell: int,
    targets: Mapping[str, Mapping[str, float]] | None = None,
    trim_ratio: float | None = DEFAULT_TRIM_RATIO,
    progress: Progress | None = None,
) -> dict:
    """Read every row, count completed ones into cells, and build the profile."""
    if not stream.seekable():
        stream = io.StringIO(stream.read())
    start = stream.tell()
    size = stream.seek(0, io.SEEK_END) - start
    stream.seek(start)
    variables = fact_variables(flow, targets or ())
    read = read_columns(stream, flow, size, progress)
    if read is not None:
        cells, helpers, statuses, unfinished = _counted_columns(flow, read, variables)
    else:  # a problem somewhere: the row reader names each one, with its row and column
        stream.seek(start)
        cells, helpers, statuses, unfinished = _counted_rows(flow, stream, variables)
    indicators = len(flow.profile.indicators)  # type: ignore[union-attr]
    return build_profile(
        flow,
        cells_from_counts(((groups, mask, count) for (groups, mask), count in cells.items()), indicators, variables),
        min_cell=min_cell,
        targets=targets,
        trim_ratio=trim_ratio,
        helpers=helpers,
        funnel=completion_funnel(flow, ((c, lang, s, n) for (c, lang, s), n in statuses.items()), unfinished),
    )


def _counted_rows(flow: Flow, stream: IO[str], variables: tuple[str, ...]) -> tuple[Counter, Counter, Counter, list[Unfinished]]:
    """Cells, helpers, statuses and unfinished conversations, one typed row at a time."""
    make_fact = FactMaker(flow, variables)
    cells: Counter = Counter()
    helpers: Counter = Counter()
    statuses: Counter = Counter()
    unfinished = []
    for row in read_responses(stream, flow):
        channel, language = row.answers["channel"], row.answers["language"]
        statuses[(channel, language, row.status)] += 1
        if row.status != COMPLETED:
            # A CSV says nothing of when an active conversation last moved: count it as in progress.
            unfinished.append(Unfinished(channel, language, row.status, row.answers, idle=False))
            continue
        fact = make_fact(row.answers)
        cells[(fact.groups, fact.deprived)] += 1
        if fact.helpers is not None:
            helpers[fact.helpers] += 1
    return cells, helpers, statuses, unfinished


def _counted_columns(flow: Flow, read: ResponseColumns, variables: tuple[str, ...]) -> tuple[Counter, Counter, Counter, list[Unfinished]]:
    """The same counts from whole columns: each condition and group reader runs once per distinct value."""
    profile = flow.profile
    columns, rows = read.columns, read.rows
    status = columns["status"]
    completed = np.array([value == COMPLETED for value in status.values], dtype=bool)[status.codes]
    answers = {name: column for name, column in columns.items() if name != "status"}
    deprived = np.zeros(rows, dtype=np.int64)
    for bit, indicator in enumerate(profile.indicators):  # type: ignore[union-attr]
        deprived |= holds(indicator.deprived_if, answers, rows).astype(np.int64) << bit
    groups = []
    for group in variables:
        # Codes of the group's values (a band label stands for many ages): fewer combinations to count.
        column = answers.get(group) or constant(None, rows)
        values = [group_value(flow, group, {group: v}) for v in column.values]
        distinct = list(dict.fromkeys(values))
        table = np.array([distinct.index(v) for v in values], dtype=np.intp)
        groups.append(Column(table[column.codes], distinct))
    cells: Counter = Counter()
    patterns, pattern_codes = np.unique(deprived[completed], return_inverse=True)
    keyed = [Column(g.codes[completed], g.values) for g in groups] + [Column(pattern_codes.reshape(-1), patterns.tolist())]
    for values, count in _combinations(keyed):
        cells[(tuple(values[:-1]), values[-1])] += count
    helpers: Counter = Counter()
    question = helper_question(flow)
    if question is not None and question.id in answers:
        column = answers[question.id]
        masks = [helper_mask(question, {question.id: v}) for v in column.values]
        for (mask,), count in _combinations([Column(column.codes[completed], masks)]):
            if mask is not None:
                helpers[mask] += count
    statuses: Counter = Counter()
    for values, count in _combinations([columns["channel"], columns["language"], status]):
        statuses[tuple(values)] += count
    return cells, helpers, statuses, _unfinished(flow, columns, np.flatnonzero(~completed))


def _combinations(columns: list[Column]) -> list[tuple[list, int]]:
    """Each distinct combination of the columns' values present in the rows, with its count."""
    if not columns or len(columns[0].codes) == 0:
        return []
    present, counts, _ = _distinct_rows([column.codes for column in columns], [len(column.values) for column in columns])
    decoded = [_objects(column.values)[codes].tolist() for column, codes in zip(columns, present)]
    return list(zip(map(list, zip(*decoded)), counts.tolist()))


def _distinct_rows(codes: list[np.ndarray], widths: list[int]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The distinct rows of these code columns (one array per column), each one's count and first row."""
    widths = [max(width, 1) for width in widths]
    if math.prod(widths) >= 1 << 62:  # too many distinct values for one integer key: sort the rows themselves
        rows, first, counts = np.unique(np.stack(codes, axis=1), axis=0, return_index=True, return_counts=True)
        return list(rows.T), counts, first
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for column, width in zip(codes, widths):  # mixed radix
        key = key * width + column
    present, first, counts = np.unique(key, return_index=True, return_counts=True)
    decoded = []
    for width in reversed(widths):
        present, code = np.divmod(present, width)
        decoded.append(code)
    return decoded[::-1], counts, first


def _objects(values) -> np.ndarray:
    """Values as an object array, for indexing (a list stays one value, not a second dimension)."""
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        array[i] = value
    return array


def _unfinished(flow: Flow, columns: dict[str, Column], rows: np.ndarray) -> list[Unfinished]:
    """The conversations that did not complete, each distinct one once with its count.

    The funnel reads an unfinished conversation's answers only through which questions were
    answered and the values its conditions name (the consent gate's `end_if`, the `when`s), so
    rows that agree on those are one record, whatever their other answers.
    """
    if len(rows) == 0:
        return []
    gate = consent_gate(flow)
    named = {gate.id, *gate.end_if.names} if gate is not None and gate.end_if is not None else set()
    for question in flow.questions:
        if question.when is not None:
            named |= question.when.names
    keys = []
    for name, column in columns.items():
        if name in ("status", "channel", "language") or name in named:
            keys.append(column.codes[rows])
        else:
            keys.append(np.array([v is not None for v in column.values], dtype=np.intp)[column.codes[rows]])
    _, counts, first = _distinct_rows(keys, [int(key.max(initial=0)) + 1 for key in keys])
    found = []
    for row, count in zip(rows[first].tolist(), counts.tolist()):  # the first row stands for its kind
        values = {name: column.values[column.codes[row]] for name, column in columns.items()}
        answers = {"channel": values.pop("channel"), "language": values.pop("language")}
        status = values.pop("status")
        answers.update((name, value) for name, value in values.items() if value is not None)
        # A CSV says nothing of when an active conversation last moved: count it as in progress.
        found.append(Unfinished(answers["channel"], answers["language"], status, answers, idle=False, count=count))
    return found
