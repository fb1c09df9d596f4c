"""Kish effective sample size and design effect of a set of survey weights."""

import numpy as np

from profiles.errors import InvalidInput


def kish_effective_n(weights: np.ndarray) -> float:
    """Return n_eff = (sum w)^2 / sum w^2 (0.0 when every weight is zero)."""
    w = _check_weights(weights)
    sum_squares = float(w @ w)
    if sum_squares == 0:
        return 0.0
    return float(w.sum()) ** 2 / sum_squares


def design_effect(weights: np.ndarray) -> float:
    """Return Kish's design effect of unequal weighting, n / n_eff."""
    w = _check_weights(weights)
    # A zero weight removes the respondent from every estimate, so they do not count in n.
    n = int(np.count_nonzero(w))
    if n == 0:
        raise InvalidInput("weights", "no positive weight: the design effect is undefined")
    return n / kish_effective_n(w)


def _check_weights(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1:
        raise InvalidInput("weights", f"expected a 1-D array, got {w.ndim}-D")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise InvalidInput("weights", "weights must be finite and non-negative")
    return w


def kish_effective_n_of_cells(weights: np.ndarray, counts: np.ndarray) -> float:
    """Return n_eff = (sum f w)^2 / sum f w^2 for cells of counts[i] respondents weighing weights[i] each."""
    w = _check_weights(weights)
    f = _check_weights(counts)
    if w.shape != f.shape:
        raise InvalidInput("counts", f"expected shape {w.shape}, got {f.shape}")
    sum_squares = float(f @ (w * w))
    if sum_squares == 0:
        return 0.0
    return float(f @ w) ** 2 / sum_squares
