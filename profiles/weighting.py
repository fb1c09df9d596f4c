"""Weight the cells of respondents to the population's margins (raking), and say how well it went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from profiles.cells import Cells
from profiles.effective_n import kish_effective_n_of_cells
from profiles.errors import ProfileError
from profiles.raking import rake_weights

# The criterion: every weighted margin within 0.1% of its target.
MARGIN_TOLERANCE = 0.001
# Rake far past it when the data allow (cheap on cells): the fitted table then matches
# published IPF examples to their printed decimals, not merely to 0.1%.
RAKING_TOLERANCE = 1e-10
RAKING_MAX_ITER = 1000
# No respondent counts for more than 5 times, or less than a fifth of, the mean weight.
DEFAULT_TRIM_RATIO = 5.0


@dataclass(frozen=True)
class Weighting:
    weights: np.ndarray  # (m,) the weight of each respondent of each cell; ones when not weighted
    applied: bool
    summary: dict  # what to publish about the weighting


def unweighted(cells: Cells) -> Weighting:
    """Every respondent weighs 1."""
    return Weighting(np.ones(len(cells.counts)), False, {"applied": False})


def rake_cells(
    cells: Cells,
    group_names: Sequence[str],
    targets: Mapping[str, Mapping[str, float]],
    trim_ratio: float | None = DEFAULT_TRIM_RATIO,
) -> Weighting:
    """Rake the cells to the targets; fall back to no weighting, saying why, when impossible."""
    variables = list(targets)
    indexes = [group_names.index(variable) for variable in variables]
    # Weights depend only on the target variables: rake their (few) combinations, not the cells.
    combos: dict[tuple, int] = {}
    inverse = np.array([combos.setdefault(tuple(g[i] for i in indexes), len(combos)) for g in cells.groups], dtype=np.intp)
    frequencies = np.bincount(inverse, weights=cells.counts, minlength=len(combos))
    keys = list(combos)
    columns = {v: np.array([key[j] for key in keys], dtype=object) for j, v in enumerate(variables)}
    try:
        result = rake_weights(
            columns, targets, tolerance=RAKING_TOLERANCE, max_iter=RAKING_MAX_ITER,
            trim_ratio=trim_ratio, frequencies=frequencies,
        )
    except ProfileError as exc:
        summary = {"applied": False, "error": str(exc), "variables": variables}
        return Weighting(np.ones(len(cells.counts)), False, summary)
    weights = result.weights[inverse]
    n_eff = kish_effective_n_of_cells(weights, cells.counts)
    summary = {
        "applied": True,
        "variables": variables,
        "converged": bool(result.converged or result.max_margin_error <= MARGIN_TOLERANCE),
        "iterations": result.iterations,
        "max_margin_error": result.max_margin_error,
        "trim_ratio": trim_ratio,
        "population_total": result.population_total,
        "unmatched": result.unmatched,
        "design_effect": cells.n / n_eff if n_eff > 0 else None,
        "error": None,
    }
    return Weighting(weights, True, summary)
