"""Subgroup decomposition of the Alkire-Foster M0: M0 = sum_g (N_g / N) M0_g."""

from dataclasses import dataclass

import numpy as np

from profiles.alkire_foster import AFResult, af_measures
from profiles.errors import InvalidInput

# Population shares computed as N_g / N may not sum to exactly one in floating point.
SHARE_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class AFDecomposition:
    """M0 of the whole population and of each subgroup, with each group's contribution."""

    overall: AFResult
    groups: tuple  # group labels, in sorted order
    by_group: dict  # label -> AFResult
    population_shares: np.ndarray  # (G,) weighted N_g / N
    M0_by_group: np.ndarray  # (G,)
    contributions: np.ndarray  # (G,) (N_g / N) M0_g / M0; zeros when M0 == 0


def population_weighted_m0(M0_by_group: np.ndarray, population_share_by_group: np.ndarray) -> float:
    """Return M0 = sum_g (N_g / N) M0_g."""
    m0, share = _check_groups(M0_by_group, population_share_by_group)
    return float(share @ m0)


def subgroup_contributions(M0_by_group: np.ndarray, population_share_by_group: np.ndarray) -> np.ndarray:
    """Return each group's share of M0: (N_g / N) M0_g / M0 (zeros when M0 == 0)."""
    m0, share = _check_groups(M0_by_group, population_share_by_group)
    total = float(share @ m0)
    if total <= 0:
        return np.zeros_like(m0)
    return share * m0 / total


def af_decomposition(
    deprived: np.ndarray,
    indicator_weights: np.ndarray,
    cutoff: float,
    group_labels: np.ndarray,
    sample_weights: np.ndarray | None = None,
) -> AFDecomposition:
    """Return overall and per-group AF measures for people labelled by subgroup."""
    labels = np.asarray(group_labels)
    deprived = np.asarray(deprived)
    if labels.shape != (deprived.shape[0],):
        raise InvalidInput("group_labels", f"expected one label per row ({deprived.shape[0]}), got shape {labels.shape}")
    s = np.ones(labels.shape[0]) if sample_weights is None else np.asarray(sample_weights, dtype=float)
    overall = af_measures(deprived, indicator_weights, cutoff, s)
    groups = tuple(sorted(set(labels.tolist())))
    by_group = {}
    for label in groups:
        rows = labels == label
        by_group[label] = af_measures(deprived[rows], indicator_weights, cutoff, s[rows])
    shares = np.array([by_group[g].total_weight for g in groups]) / overall.total_weight
    m0 = np.array([by_group[g].M0 for g in groups])
    return AFDecomposition(
        overall=overall,
        groups=groups,
        by_group=by_group,
        population_shares=shares,
        M0_by_group=m0,
        contributions=subgroup_contributions(m0, shares),
    )


def _check_groups(M0_by_group: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m0 = np.asarray(M0_by_group, dtype=float)
    share = np.asarray(shares, dtype=float)
    if m0.ndim != 1 or m0.shape != share.shape:
        raise InvalidInput("population_share_by_group", f"expected shape {m0.shape}, got {share.shape}")
    if np.any(m0 < 0) or np.any(m0 > 1):
        raise InvalidInput("M0_by_group", "each M0 must be in [0, 1]")
    if np.any(share < 0) or abs(share.sum() - 1.0) > SHARE_SUM_TOLERANCE:
        raise InvalidInput("population_share_by_group", f"shares must be non-negative and sum to 1, got {share.sum():.9g}")
    return m0, share
