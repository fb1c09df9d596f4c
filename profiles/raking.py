"""Raking of respondent weights to population margins, with optional trimming.

Policies:
- Weights sum to the population total of the targets (so a weighted count reads as
  people); the mean weight is that total over the respondents with positive base weight.
  With trimming the last step is the clip, so the sum holds to within `tolerance`.
- Variables' target totals may differ by up to 1% (census tables published separately
  round differently): each variable's targets are then rescaled to the total of the
  first variable in `targets`. A larger gap means mismatched sources: RakingError.
- A respondent whose value has no target (missing answer, "prefer not to say") is kept:
  at that variable's step they keep their weight, and the target proportions are imposed
  on those who did answer. Dropping them would hide precisely the people who skip
  questions. With no missing values this is ordinary raking to the target counts.
- A target value with no respondent cannot be reached by any weights: RakingError.
- With `frequencies`, row i stands for frequencies[i] identical respondents (a cell of a
  table, as SQL's GROUP BY gives them): weights[i] is then the weight of each of them, and
  trimming bounds each respondent's weight, exactly as if the rows were repeated.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from profiles.errors import InvalidInput, RakingError

DEFAULT_TOLERANCE = 0.001  # every margin within 0.1% of its target
DEFAULT_MAX_ITER = 100
# Target totals of different variables may disagree by this much (relative) before we refuse.
TARGET_TOTAL_TOLERANCE = 0.01


@dataclass(frozen=True)
class RakingResult:
    """Raked weights and how well they meet the margins."""

    weights: np.ndarray  # (n,) each respondent's; weights @ frequencies = population_total (within tolerance if trimmed)
    iterations: int  # full sweeps over the variables
    converged: bool  # every margin within tolerance (and, if trimming, weights within bounds)
    max_margin_error: float  # largest |achieved - target| / target over all cells
    population_total: float
    unmatched: dict  # variable -> respondents whose value has no target (kept, see policy)


@dataclass(frozen=True)
class _Margin:
    variable: str
    codes: np.ndarray  # (n,) index into shares, -1 when the value has no target
    shares: np.ndarray  # (C,) target proportions, summing to 1


def rake_weights(
    columns: Mapping[str, np.ndarray],
    targets: Mapping[str, Mapping[str, float]],
    base_weights: np.ndarray | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    trim_ratio: float | None = None,
    frequencies: np.ndarray | None = None,
) -> RakingResult:
    """Return weights whose weighted margins match the population targets."""
    if not targets:
        raise InvalidInput("targets", "at least one variable is needed")
    if tolerance <= 0:
        raise InvalidInput("tolerance", f"must be positive, got {tolerance}")
    if max_iter < 1:
        raise InvalidInput("max_iter", f"must be at least 1, got {max_iter}")
    if trim_ratio is not None and trim_ratio <= 1:
        raise InvalidInput("trim_ratio", f"must be greater than 1, got {trim_ratio}")
    n = _respondent_count(columns, targets)
    total = _population_total(targets)
    margins = [_margin(variable, columns[variable], values) for variable, values in targets.items()]
    f = _frequencies(frequencies, n)
    w = _base_weights(base_weights, n)
    for margin in margins:
        _check_cells_reachable(margin, w * f, targets[margin.variable], f)
    w = w * (total / (w @ f))
    active = (w > 0) & (f > 0)  # a zero base weight excludes the respondent for good
    mean = total / f[active].sum()
    error = _max_margin_error(w * f, margins, total)
    iterations = 0
    while iterations < max_iter and not (error <= tolerance and _within_bounds(w, active, mean, trim_ratio)):
        iterations += 1
        for margin in margins:
            w = w * _rake_factors(w * f, margin, total)
        if trim_ratio is not None:
            # Cap and floor, then the next sweep re-rakes; ending on the clip keeps the
            # bounds exact, and convergence requires the margins to hold after it.
            w[active] = np.clip(w[active], mean / trim_ratio, mean * trim_ratio)
        error = _max_margin_error(w * f, margins, total)
    return RakingResult(
        weights=w,
        iterations=iterations,
        converged=bool(error <= tolerance and _within_bounds(w, active, mean, trim_ratio)),
        max_margin_error=error,
        population_total=total,
        unmatched={m.variable: int(f[m.codes < 0].sum()) for m in margins},
    )


def _max_margin_error(w: np.ndarray, margins: list[_Margin], total: float) -> float:
    """Return the largest relative gap between a weighted margin and its target."""
    worst = 0.0
    for margin in margins:
        achieved, goals = _achieved_and_goals(w, margin, total)
        worst = max(worst, float(np.max(np.abs(achieved - goals) / goals)))
    return worst


def _rake_factors(w: np.ndarray, margin: _Margin, total: float) -> np.ndarray:
    """Each row's factor for one raking step, given the rows' total weights w."""
    achieved, goals = _achieved_and_goals(w, margin, total)
    factors = np.append(goals / achieved, 1.0)  # code -1 picks the last factor: unchanged
    return factors[margin.codes]


def _achieved_and_goals(w: np.ndarray, margin: _Margin, total: float) -> tuple[np.ndarray, np.ndarray]:
    known = margin.codes >= 0
    achieved = np.bincount(margin.codes[known], weights=w[known], minlength=margin.shares.size)
    # Respondents without a target keep their weight; the rest share what remains.
    remaining = total - float(w[~known].sum())
    if remaining <= 0:
        raise RakingError(margin.variable, None, "respondents without a target value hold all the weight")
    return achieved, remaining * margin.shares


def _within_bounds(w: np.ndarray, active: np.ndarray, mean: float, trim_ratio: float | None) -> bool:
    if trim_ratio is None:
        return True
    # Relative slack for the float error of the re-raking multiply.
    slack = 1e-12
    return bool(np.all(w[active] <= mean * trim_ratio * (1 + slack)) and np.all(w[active] >= mean / trim_ratio * (1 - slack)))


def _respondent_count(columns: Mapping[str, np.ndarray], targets: Mapping[str, Mapping[str, float]]) -> int:
    lengths = {}
    for variable in targets:
        if variable not in columns:
            raise RakingError(variable, None, "targets given but no column of answers")
        lengths[variable] = len(columns[variable])
    if len(set(lengths.values())) != 1:
        raise InvalidInput("columns", f"columns differ in length: {lengths}")
    n = next(iter(lengths.values()))
    if n == 0:
        raise InvalidInput("columns", "no respondent to weight")
    return n


def _population_total(targets: Mapping[str, Mapping[str, float]]) -> float:
    totals = {}
    for variable, values in targets.items():
        for value, target in values.items():
            if not (np.isfinite(target) and target > 0):
                raise RakingError(variable, value, f"target must be a positive number, got {target!r}")
        totals[variable] = float(sum(values.values()))
    first, reference = next(iter(totals.items()))
    for variable, total in totals.items():
        if abs(total - reference) > TARGET_TOTAL_TOLERANCE * reference:
            raise RakingError(
                variable, None, f"targets total {total:g} but {first} totals {reference:g}; they differ by more than 1%"
            )
    return reference


def _margin(variable: str, column: np.ndarray, values: Mapping[str, float]) -> _Margin:
    labels = np.asarray(column, dtype=object)
    codes = np.full(labels.shape[0], -1, dtype=np.intp)
    for index, value in enumerate(values):
        codes[labels == value] = index
    targets = np.array([float(t) for t in values.values()])
    return _Margin(variable, codes, targets / targets.sum())


def _base_weights(base_weights: np.ndarray | None, n: int) -> np.ndarray:
    if base_weights is None:
        return np.ones(n)
    w = np.array(base_weights, dtype=float)
    if w.shape != (n,):
        raise InvalidInput("base_weights", f"expected {n} weights, got shape {w.shape}")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise InvalidInput("base_weights", "weights must be finite and non-negative")
    return w


def _frequencies(frequencies: np.ndarray | None, n: int) -> np.ndarray:
    if frequencies is None:
        return np.ones(n)
    f = np.asarray(frequencies, dtype=float)
    if f.shape != (n,):
        raise InvalidInput("frequencies", f"expected {n} counts, got shape {f.shape}")
    if np.any(f < 0) or not np.all(f == np.round(f)):
        raise InvalidInput("frequencies", "counts must be non-negative whole numbers")
    return f


def _check_cells_reachable(margin: _Margin, w: np.ndarray, values: Mapping[str, float], f: np.ndarray) -> None:
    known = margin.codes >= 0
    counts = np.bincount(margin.codes[known], weights=f[known], minlength=margin.shares.size)
    weights = np.bincount(margin.codes[known], weights=w[known], minlength=margin.shares.size)
    for index, value in enumerate(values):
        if counts[index] == 0:
            raise RakingError(margin.variable, value, "no respondent in this cell, cannot weight")
        if weights[index] == 0:
            raise RakingError(margin.variable, value, "every respondent in this cell has a zero base weight")
