"""Classic two-way iterative proportional fitting (IPF, RAS) of a table to its margins."""

from typing import NamedTuple

import numpy as np

from profiles.errors import InvalidInput

# Relative margin error at which the fit stops. Far below any published rounding: the
# Wikipedia/ipfn worked example prints the fixed point to 2 decimals, and stopping once
# margins are within 0.01 (4 sweeps there) would print different digits.
DEFAULT_TOLERANCE = 1e-10
DEFAULT_MAX_ITER = 1000


class IPFFit(NamedTuple):
    """A fitted table, the sweeps it took, and whether every margin met the tolerance."""

    fitted: np.ndarray
    iterations: int
    converged: bool


def ipf_matrix(
    seed: np.ndarray,
    row_targets: np.ndarray,
    col_targets: np.ndarray,
    tol: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
) -> IPFFit:
    """Scale rows then columns of seed, in turn, until both margins match their targets."""
    x, rows, cols = _check(seed, row_targets, col_targets, tol)
    for iteration in range(1, max_iter + 1):
        x = x * _ratio(rows, x.sum(axis=1))[:, None]
        x = x * _ratio(cols, x.sum(axis=0))[None, :]
        # After the column step the columns are exact, so only the rows can be off.
        if _relative_error(x.sum(axis=1), rows) <= tol:
            return IPFFit(x, iteration, True)
    return IPFFit(x, max_iter, False)


def _ratio(targets: np.ndarray, current: np.ndarray) -> np.ndarray:
    # A zero-target line is emptied; a zero line with a positive target was rejected in _check.
    return np.divide(targets, current, out=np.zeros_like(targets), where=current > 0)


def _relative_error(achieved: np.ndarray, targets: np.ndarray) -> float:
    gaps = np.abs(achieved - targets)
    return float(np.max(np.divide(gaps, targets, out=gaps.copy(), where=targets > 0)))


def _check(seed, row_targets, col_targets, tol) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(seed, dtype=float)
    rows = np.asarray(row_targets, dtype=float)
    cols = np.asarray(col_targets, dtype=float)
    if x.ndim != 2 or rows.shape != (x.shape[0],) or cols.shape != (x.shape[1],):
        raise InvalidInput("seed", f"shape {x.shape} does not match {rows.shape[0]} rows x {cols.shape[0]} columns")
    for name, values in (("seed", x), ("row_targets", rows), ("col_targets", cols)):
        if np.any(values < 0) or not np.all(np.isfinite(values)):
            raise InvalidInput(name, "values must be finite and non-negative")
    # Margins with different totals have no common fit; IPF would oscillate forever.
    if abs(rows.sum() - cols.sum()) > tol * max(rows.sum(), cols.sum()):
        raise InvalidInput("col_targets", f"total {cols.sum():g} differs from the row total {rows.sum():g}")
    for name, sums, targets in (("row_targets", x.sum(axis=1), rows), ("col_targets", x.sum(axis=0), cols)):
        empty = np.flatnonzero((sums == 0) & (targets > 0))
        if empty.size:
            raise InvalidInput(f"{name}[{empty[0]}]", "positive target but the seed line is all zeros")
    return x, rows, cols
