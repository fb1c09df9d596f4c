"""Respondents counted per distinct (group values, deprivation pattern): the input of every profile figure."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from profiles.facts import Fact


@dataclass(frozen=True)
class Cells:
    """m cells: each holds `counts[i]` respondents sharing `groups[i]` and the pattern `deprived[i]`."""

    groups: tuple[tuple, ...]  # (m,) values of the variables: the profile's groups, in profile order, then others
    deprived: np.ndarray  # (m, d) bool
    counts: np.ndarray  # (m,) respondents
    # The names of the values in `groups` (profiles.facts.fact_variables); empty means the profile's groups.
    variables: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def column(self, index: int) -> list:
        """The values of one grouping variable, cell by cell."""
        return [values[index] for values in self.groups]


def cells_from_counts(rows: Iterable[tuple[tuple, int, int]], indicators: int, variables: tuple[str, ...] = ()) -> Cells:
    """Build cells from (group values, deprivation mask, respondents) rows, merging repeats."""
    merged: Counter = Counter()
    for groups, mask, count in rows:
        merged[(tuple(groups), int(mask))] += int(count)
    keys = sorted(merged, key=repr)  # a stable order, whatever order SQL returned
    masks = np.array([mask for _, mask in keys], dtype=np.int64)
    deprived = (masks[:, None] >> np.arange(indicators, dtype=np.int64)[None, :]) & 1 == 1
    return Cells(
        groups=tuple(groups for groups, _ in keys),
        deprived=deprived,
        counts=np.array([merged[key] for key in keys], dtype=np.int64),
        variables=tuple(variables),
    )


def cells_from_facts(facts: Iterable[Fact], indicators: int, variables: tuple[str, ...] = ()) -> Cells:
    """Count facts (one per respondent) into cells."""
    return cells_from_counts(((fact.groups, fact.deprived, 1) for fact in facts), indicators, variables)


def value_codes(column: list, values: list) -> np.ndarray:
    """Index of each cell's value in `values` (-1 when absent)."""
    position = {_key(value): i for i, value in enumerate(values)}
    return np.array([position.get(_key(value), -1) for value in column], dtype=np.intp)


def _key(value) -> tuple:
    # True == 1 and 1.0 == 1 in Python; keep values of different types apart.
    return (type(value).__name__, value)
