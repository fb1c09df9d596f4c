"""Read a responses CSV (the export's columns) into factorised columns, each distinct cell parsed once.

Most columns hold a handful of distinct values among a million rows (codes, labels, typos, numbers),
so each column keeps one small integer per row and its distinct texts, and parse_cell runs once per
distinct text instead of once per cell. pyarrow parses the file when it can (about 5x faster than
the csv module, BENCHMARKS.md); rows it refuses (short ones, blank lines of separators) are read
with the csv module instead. This path only accepts a clean file: at the first problem it
gives up (returns None) and profiles.responses_csv.read_responses, row by row, names every problem
with its row and column exactly as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import IO, Any

import numpy as np

from flows.expr_numpy import Column
from flows.model import Flow
from flows.state import STATUSES
from profiles.responses_csv import _columns, parse_cell

try:  # pyarrow parses CSV in C++ on every core; without it the csv module reads the same columns
    import pyarrow as _arrow
    from pyarrow import csv as _arrow_csv
except ImportError:  # pragma: no cover - depends on the installation
    _arrow = _arrow_csv = None

# Rows read per step: bounded memory (the cells of a chunk are Python strings until factorised).
CHUNK_ROWS = 50_000
# Told (characters read, characters in all) after each chunk, for a progress bar.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ResponseColumns:
    """Every non-blank row of a valid file: `status`, built-ins `channel` and `language`, typed answers."""

    rows: int
    columns: dict[str, Column]  # "status", "channel", "language" and each readable question (None: empty cell)


def read_columns(stream: IO[str], flow: Flow, size: int | None = None,
                 progress: Progress | None = None, use_arrow: bool = True) -> ResponseColumns | None:
    """The file as columns, or None when a cell has a problem (read_responses then reports each)."""
    sample = stream.readline().lstrip("\ufeff")
    delimiter = max((",", ";", "\t"), key=sample.count)  # as read_responses decides
    header = [name.strip().lower() for name in next(csv.reader([sample], delimiter=delimiter), [])]
    positions = _columns(flow, header)  # raises ResponsesInvalid for a missing or doubled column
    if use_arrow and _arrow_csv is not None:
        start = stream.tell()
        fast = _read_with_arrow(stream.read(), delimiter, len(header), positions)
        if progress is not None and size:
            progress(size, size)
        if fast is not None:
            return _typed(flow, *fast)
        stream.seek(start)  # a row pyarrow refuses (a short one, a blank status): read it the slow way
    width = max(positions.values()) + 1
    indexes: dict[str, dict[str, int]] = {name: {} for name in positions}
    codes: dict[str, list[np.ndarray]] = {name: [] for name in positions}
    reader = csv.reader(stream, delimiter=delimiter)
    while chunk := list(islice(reader, CHUNK_ROWS)):
        if min(map(len, chunk)) < width:  # short rows read as empty cells, as read_responses does
            chunk = [record if len(record) >= width else record + [""] * (width - len(record)) for record in chunk]
        for name, position in positions.items():
            codes[name].append(_factorise(list(map(itemgetter(position), chunk)), indexes[name]))
        blank_status = [code for text, code in indexes["status"].items() if not text.strip()]
        if blank_status:
            keep = ~np.isin(codes["status"][-1], blank_status)
            # A row without a status is skipped when entirely blank, and a problem otherwise.
            if any(any(cell.strip() for cell in chunk[row]) for row in np.flatnonzero(~keep).tolist()):
                return None
            for name in codes:
                codes[name][-1] = codes[name][-1][keep]
        if progress is not None and size:
            progress(min(stream.tell(), size), size)
    joined = {name: np.concatenate(parts) if parts else np.empty(0, dtype=np.intp) for name, parts in codes.items()}
    return _typed(flow, joined, {name: list(index) for name, index in indexes.items()})


def _typed(flow: Flow, codes: dict[str, np.ndarray], texts: dict[str, list[str]]) -> ResponseColumns | None:
    parsed = {name: _parse_distinct(flow, name, distinct) for name, distinct in texts.items()}
    if any(values is None for values in parsed.values()):
        return None
    return ResponseColumns(len(codes["status"]), {name: Column(codes[name], parsed[name]) for name in codes})  # type: ignore[arg-type]


def _read_with_arrow(text: str, delimiter: str, columns: int, positions: dict[str, int]) -> tuple[dict, dict] | None:
    """Codes and distinct texts of each column, parsed by pyarrow; None for what only the csv module reads as we do."""
    width = max(positions.values()) + 1
    try:
        table = _arrow_csv.read_csv(  # type: ignore[union-attr]
            io.BytesIO(text.encode("utf-8")),
            read_options=_arrow_csv.ReadOptions(column_names=[f"c{i}" for i in range(columns)]),  # type: ignore[union-attr]
            parse_options=_arrow_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),  # type: ignore[union-attr]
            convert_options=_arrow_csv.ConvertOptions(  # type: ignore[union-attr]
                include_columns=[f"c{i}" for i in sorted(set(positions.values()))], strings_can_be_null=False,
                quoted_strings_can_be_null=False, column_types={f"c{i}": "string" for i in range(width)}),
        )
    except _arrow.ArrowException:  # a ragged row, an odd quote: the csv module reads those as before
        return None
    codes, texts = {}, {}
    for name, position in positions.items():
        encoded = table.column(f"c{position}").combine_chunks().dictionary_encode()
        codes[name] = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        texts[name] = encoded.dictionary.to_pylist()
    if any(not text.strip() for text in texts["status"]):  # blank rows are skipped, or a problem: the slow path decides
        return None
    return codes, texts


def _factorise(cells: list[str], index: dict[str, int]) -> np.ndarray:
    """Codes of the cells in index, adding the texts not seen before (set and map run in C)."""
    for text in set(cells).difference(index):
        index[text] = len(index)
    return np.array(list(map(index.__getitem__, cells)), dtype=np.intp)  # twice as fast as np.fromiter here


def _parse_distinct(flow: Flow, name: str, texts: list[str]) -> list[Any] | None:
    """Each distinct text of a column typed as read_responses types it; None at the first problem."""
    values: list[Any] = []
    for raw in texts:
        text = raw.strip()
        if name == "status":
            value: Any = text.lower()
            if value not in STATUSES and text:  # blank statuses belong to blank rows, dropped above
                return None
        elif name in ("channel", "language"):
            value = text.lower() or None
            if name == "language" and value is not None and value not in flow.languages:
                return None
        elif not text:
            value = None
        else:
            value, problem = parse_cell(flow.question(name), text)
            if problem:
                return None
        values.append(value)
    return values
