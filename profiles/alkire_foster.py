"""Alkire-Foster (2011) counting measures: headcount H, intensity A, adjusted headcount M0."""

from dataclasses import dataclass

import numpy as np

from profiles.errors import InvalidInput

# Scores are sums of float weights (0.25 + 0.25 + ... may land at 0.24999999999999997),
# so "c >= k" is tested with this slack; weights are at least 1e-3 apart in practice.
IDENTIFICATION_TOLERANCE = 1e-9

# Nested AF weights must sum to one; allow the rounding of weights typed as decimals.
WEIGHT_SUM_TOLERANCE = 1e-9


@dataclass(frozen=True)
class AFResult:
    """Alkire-Foster measures at one poverty cutoff k."""

    n: int  # respondents (rows, or summed pattern counts)
    total_weight: float
    H: float  # weighted share identified as poor: c_i >= k
    A: float  # weighted mean score among the poor; 0.0 when nobody is poor
    M0: float  # H * A, the weighted mean censored score
    censored_headcounts: np.ndarray  # (d,) share poor AND deprived in j
    contributions: np.ndarray  # (d,) w_j * CH_j / M0; sums to 1, zeros when M0 == 0
    deprived_share: np.ndarray  # (d,) uncensored share deprived in j


def deprivation_scores(deprived: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return c_i = sum_j w_j g_ij for each person."""
    g = _check_deprived(deprived)
    w = _check_indicator_weights(weights, g.shape[1])
    return g.astype(float) @ w


def identified_poor(scores: np.ndarray, cutoff: float) -> np.ndarray:
    """Return the mask of people with c_i >= k (the dual-cutoff identification)."""
    return np.asarray(scores, dtype=float) >= cutoff - IDENTIFICATION_TOLERANCE


def af_measures(
    deprived: np.ndarray,
    indicator_weights: np.ndarray,
    cutoff: float,
    sample_weights: np.ndarray | None = None,
) -> AFResult:
    """Return H, A, M0, censored headcounts and contributions for one row per person."""
    g = _check_deprived(deprived)
    if sample_weights is None:
        s = np.ones(g.shape[0])
    else:
        s = _check_sample_weights(sample_weights, g.shape[0], "sample_weights")
    return _af_from_weighted_rows(g, indicator_weights, cutoff, s, n=g.shape[0])


def af_measures_from_counts(
    patterns: np.ndarray,
    counts: np.ndarray,
    indicator_weights: np.ndarray,
    cutoff: float,
    pattern_weights: np.ndarray | None = None,
) -> AFResult:
    """Return the same measures from distinct deprivation patterns and their counts."""
    # Lets the caller GROUP BY the deprivation pattern in SQL and send m << n rows:
    # `counts` is COUNT(*) per pattern, `pattern_weights` is SUM(sample weight).
    g = _check_deprived(patterns, "patterns")
    c = _check_sample_weights(counts, g.shape[0], "counts")
    if not np.all(c == np.round(c)):
        raise InvalidInput("counts", "must be whole numbers of respondents")
    s = c if pattern_weights is None else _check_sample_weights(pattern_weights, g.shape[0], "pattern_weights")
    return _af_from_weighted_rows(g, indicator_weights, cutoff, s, n=int(c.sum()))


def _af_from_weighted_rows(
    g: np.ndarray, indicator_weights: np.ndarray, cutoff: float, s: np.ndarray, n: int
) -> AFResult:
    w = _check_indicator_weights(indicator_weights, g.shape[1])
    k = _check_cutoff(cutoff)
    total = float(s.sum())
    if total <= 0:
        raise InvalidInput("sample_weights", "total weight must be positive")
    scores = g.astype(float) @ w
    poor = identified_poor(scores, k)
    poor_weight = float(s[poor].sum())
    H = poor_weight / total
    A = float(s[poor] @ scores[poor]) / poor_weight if poor_weight > 0 else 0.0
    # Censoring: deprivations of people not identified as poor are ignored.
    censored = g & poor[:, None]
    censored_headcounts = (s @ censored) / total
    # M0 as the mean censored score equals H * A and sum_j w_j CH_j exactly (no division).
    M0 = float(s @ (scores * poor)) / total
    if M0 > 0:
        contributions = w * censored_headcounts / M0
    else:
        contributions = np.zeros_like(w)
    return AFResult(
        n=n,
        total_weight=total,
        H=H,
        A=A,
        M0=M0,
        censored_headcounts=censored_headcounts,
        contributions=contributions,
        deprived_share=(s @ g) / total,
    )


def _check_deprived(deprived: np.ndarray, name: str = "deprived") -> np.ndarray:
    g = np.asarray(deprived)
    if g.ndim != 2:
        raise InvalidInput(name, f"expected a 2-D (people x indicators) array, got {g.ndim}-D")
    if g.dtype != bool:
        if not np.isin(g, (0, 1)).all():
            raise InvalidInput(name, "entries must be booleans (deprived or not)")
        g = g.astype(bool)
    return g


def _check_indicator_weights(weights: np.ndarray, d: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape != (d,):
        raise InvalidInput("indicator_weights", f"expected {d} weights, got shape {w.shape}")
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise InvalidInput("indicator_weights", "weights must be finite and non-negative")
    if abs(w.sum() - 1.0) > WEIGHT_SUM_TOLERANCE:
        raise InvalidInput("indicator_weights", f"weights must sum to 1, got {w.sum():.12g}")
    return w


def _check_cutoff(cutoff: float) -> float:
    k = float(cutoff)
    if not 0.0 < k <= 1.0:
        raise InvalidInput("cutoff", f"k must be in (0, 1], got {cutoff}")
    return k


def _check_sample_weights(weights: np.ndarray, n: int, name: str) -> np.ndarray:
    s = np.asarray(weights, dtype=float)
    if s.shape != (n,):
        raise InvalidInput(name, f"expected {n} values, got shape {s.shape}")
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise InvalidInput(name, "values must be finite and non-negative")
    return s
