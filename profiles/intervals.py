"""Confidence intervals for a proportion: Wilson score and Clopper-Pearson exact."""

import math

from profiles.errors import InvalidInput
from profiles.incomplete_beta import beta_quantile

# Standard normal 97.5% quantile, to the 7 figures Newcombe (1998) uses.
Z_95 = 1.959964


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval for successes out of n (fractional allowed)."""
    _check_counts(successes, n)
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half_width = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    lower = 0.0 if successes == 0 else max(0.0, centre - half_width)
    upper = 1.0 if successes == n else min(1.0, centre + half_width)
    return (lower, upper)


def wilson_interval_from_share(p: float, n_eff: float, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson interval for a weighted share p with effective sample size n_eff."""
    if not 0.0 <= p <= 1.0:
        raise InvalidInput("p", f"share must be in [0, 1], got {p}")
    return wilson_interval(p * n_eff, n_eff, z)


def clopper_pearson_interval(x: float, n: float, alpha: float = 0.05) -> tuple[float, float]:
    """Return the Clopper-Pearson exact interval from Beta quantiles."""
    # lower = B(alpha/2; x, n-x+1), upper = B(1-alpha/2; x+1, n-x): the binomial-beta
    # identity; non-integer x and n (weighted data) extend it continuously.
    _check_counts(x, n)
    if not 0.0 < alpha < 1.0:
        raise InvalidInput("alpha", f"must be in (0, 1), got {alpha}")
    if n == 0:
        return (0.0, 1.0)
    lower = 0.0 if x == 0 else beta_quantile(alpha / 2.0, x, n - x + 1.0)
    upper = 1.0 if x == n else beta_quantile(1.0 - alpha / 2.0, x + 1.0, n - x)
    return (lower, upper)


def _check_counts(successes: float, n: float) -> None:
    if not (math.isfinite(successes) and math.isfinite(n)):
        raise InvalidInput("successes, n", "must be finite")
    if n < 0:
        raise InvalidInput("n", f"must be non-negative, got {n}")
    if not 0 <= successes <= n:
        raise InvalidInput("successes", f"must be in [0, n={n}], got {successes}")
