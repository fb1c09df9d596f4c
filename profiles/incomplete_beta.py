"""Regularized incomplete beta I_x(a, b) and its inverse, in pure Python."""

import math

from profiles.errors import ConvergenceError, InvalidInput

# The continued fraction needs about sqrt(max(a, b)) terms; 10,000 covers a, b up to ~10^7.
MAX_FRACTION_TERMS = 10_000
FRACTION_EPSILON = 1e-15
# Guards the modified Lentz recurrence against division by zero.
LENTZ_TINY = 1e-300
# 2**-60 is below double precision on [0, 1], so more halvings change nothing.
QUANTILE_BISECTIONS = 60


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """Return I_x(a, b), the Beta(a, b) cumulative distribution at x."""
    if a <= 0 or b <= 0:
        raise InvalidInput("a, b", f"shape parameters must be positive, got a={a}, b={b}")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    # The continued fraction converges fast only left of the mean; use the symmetry
    # I_x(a, b) = 1 - I_{1-x}(b, a) on the right (Numerical Recipes, section 6.4).
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(q: float, a: float, b: float) -> float:
    """Return x such that I_x(a, b) = q, by bisection (I_x is increasing in x)."""
    if not 0.0 <= q <= 1.0:
        raise InvalidInput("q", f"probability must be in [0, 1], got {q}")
    lo, hi = 0.0, 1.0
    for _ in range(QUANTILE_BISECTIONS):
        mid = 0.5 * (lo + hi)
        if regularized_incomplete_beta(a, b, mid) < q:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Modified Lentz evaluation of the continued fraction for I_x(a, b).
    c = 1.0
    d = _nonzero(1.0 - (a + b) * x / (a + 1.0))
    d = 1.0 / d
    h = d
    for m in range(1, MAX_FRACTION_TERMS + 1):
        even = m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m))
        d = 1.0 / _nonzero(1.0 + even * d)
        c = _nonzero(1.0 + even / c)
        h *= d * c
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))
        d = 1.0 / _nonzero(1.0 + odd * d)
        c = _nonzero(1.0 + odd / c)
        step = d * c
        h *= step
        if abs(step - 1.0) < FRACTION_EPSILON:
            return h
    raise ConvergenceError(f"incomplete beta fraction did not converge for a={a}, b={b}, x={x}")


def _nonzero(value: float) -> float:
    return value if abs(value) >= LENTZ_TINY else LENTZ_TINY
