"""Every published figure of one population (everyone, or a group): AF measures, n_eff, intervals, reliability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flows.model import Profile
from profiles.alkire_foster import AFResult, af_measures_from_counts, deprivation_scores, identified_poor
from profiles.effective_n import kish_effective_n_of_cells
from profiles.intervals import wilson_interval_from_share
from profiles.reliability import is_reliable

# Figures are published to 6 decimals: finer than any published vector, and a stable JSON.
DECIMALS = 6


@dataclass(frozen=True)
class Figures:
    n: int  # respondents
    n_eff: float  # Kish effective sample size of their weights
    population: float  # sum of their weights (people, when raked to census counts)
    af: AFResult
    H_ci: tuple[float, float]
    deprived_share_ci: list[tuple[float, float]]
    reliable: bool  # n_eff >= 30 and H's interval under 30 points wide


def population_figures(
    deprived: np.ndarray, counts: np.ndarray, weights: np.ndarray, indicator_weights: np.ndarray, cutoff: float
) -> Figures:
    """The figures of the respondents in these cells (counts[i] respondents weighing weights[i] each)."""
    af = af_measures_from_counts(deprived, counts, indicator_weights, cutoff, pattern_weights=counts * weights)
    n_eff = kish_effective_n_of_cells(weights, counts)
    at_risk = identified_poor(deprivation_scores(deprived, indicator_weights), cutoff).astype(float)
    H_ci = wilson_interval_from_share(_share(af.H), _effective_n_of_share(at_risk, af.H, counts, weights, n_eff))
    return Figures(
        n=af.n,
        n_eff=n_eff,
        population=af.total_weight,
        af=af,
        H_ci=H_ci,
        deprived_share_ci=[wilson_interval_from_share(_share(p), n_eff) for p in af.deprived_share],
        reliable=is_reliable(n_eff, H_ci),
    )


def figures_json(figures: Figures, profile: Profile, with_population: bool = False) -> dict:
    """The figures as published: indicator figures keyed by indicator id, contributions also by dimension."""
    ids = [indicator.id for indicator in profile.indicators]
    af = figures.af
    by_dimension = {}
    position = 0
    for dimension in profile.dimensions:
        size = len(dimension.indicators)
        by_dimension[dimension.id] = rounded(float(af.contributions[position:position + size].sum()))
        position += size
    data = {
        "n": figures.n,
        "n_eff": rounded(figures.n_eff),
        "H": rounded(af.H),
        "H_ci": [rounded(figures.H_ci[0]), rounded(figures.H_ci[1])],
        "A": rounded(af.A),
        "M0": rounded(af.M0),
        "censored_headcounts": dict(zip(ids, rounded(af.censored_headcounts))),
        "contributions": dict(zip(ids, rounded(af.contributions))),
        "contributions_by_dimension": by_dimension,
        "deprived_share": dict(zip(ids, rounded(af.deprived_share))),
        "deprived_share_ci": {i: [rounded(low), rounded(high)] for i, (low, high) in zip(ids, figures.deprived_share_ci)},
        "reliable": figures.reliable,
        "suppressed": False,
    }
    if with_population:
        data["population"] = rounded(figures.population)
    return data


def _effective_n_of_share(y: np.ndarray, share: float, counts: np.ndarray, weights: np.ndarray, kish: float) -> float:
    """The sample size whose binomial variance equals the weighted share's linearised variance.

    Var(p) = sum f w^2 (y - p)^2 / (sum f w)^2 (the ratio estimator's Taylor linearisation). Unlike
    Kish's n_eff it sees that the heavy weights fall on people more often at risk (those a phone
    consultation under-reaches): the interval then widens as it should. Unweighted, it is n exactly.
    """
    total = float(counts @ weights)
    variance = float(counts @ (weights * weights * (y - share) ** 2)) / (total * total) if total else 0.0
    if variance <= 0 or share <= 0 or share >= 1:
        return kish
    return share * (1 - share) / variance


def rounded(value):
    """A float, or an array of them, rounded for publication."""
    if isinstance(value, np.ndarray):
        return [round(float(v), DECIMALS) for v in value]
    return round(float(value), DECIMALS)


def _share(p: float) -> float:
    # Ratios of float sums can land a hair outside [0, 1].
    return min(1.0, max(0.0, p))
