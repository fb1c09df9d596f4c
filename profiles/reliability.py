"""Whether an estimate is precise enough to show without a warning."""

# Below 30 effective respondents the normal approximations behind the intervals break down.
MIN_EFFECTIVE_N = 30.0
# An interval 30 points wide (e.g. 20% to 50%) says too little to rank groups by.
MAX_INTERVAL_WIDTH = 0.30


def is_reliable(
    n_eff: float,
    ci: tuple[float, float],
    min_n_eff: float = MIN_EFFECTIVE_N,
    max_width: float = MAX_INTERVAL_WIDTH,
) -> bool:
    """Return False when n_eff < 30 or the interval is 0.30 wide or more."""
    lower, upper = ci
    return n_eff >= min_n_eff and (upper - lower) < max_width
