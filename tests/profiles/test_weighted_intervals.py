"""H's interval under weights: as wide as the weights make it, not only as their spread (Kish) says."""

from __future__ import annotations

import numpy as np
import pytest

from profiles.effective_n import kish_effective_n_of_cells
from profiles.intervals import wilson_interval
from profiles.measures import population_figures

ONE = np.array([1.0])


def test_unweighted_the_interval_is_wilsons_on_the_respondents():
    deprived = np.array([[True], [False]])
    counts = np.array([30, 70])
    figures = population_figures(deprived, counts, np.ones(2), ONE, 1.0)
    assert figures.H_ci == pytest.approx(wilson_interval(30, 100), abs=1e-12)


def test_heavy_weights_on_those_at_risk_widen_the_interval_beyond_kishs():
    # 10 at risk weighing 4 each (under-reached people), 90 not at risk weighing 1: H = 40 / 130.
    deprived = np.array([[True], [False]])
    counts, weights = np.array([10, 90]), np.array([4.0, 1.0])
    figures = population_figures(deprived, counts, weights, ONE, 1.0)
    h = 40 / 130
    assert figures.af.H == pytest.approx(h)
    # The linearised variance: sum f w^2 (y - H)^2 / (sum f w)^2.
    variance = (10 * 16 * (1 - h) ** 2 + 90 * h ** 2) / 130 ** 2
    n_share = h * (1 - h) / variance
    assert figures.H_ci == pytest.approx(wilson_interval(h * n_share, n_share), abs=1e-12)
    kish = kish_effective_n_of_cells(weights, counts)
    assert n_share == pytest.approx(42.25, abs=0.01) and kish == pytest.approx(67.6)  # Kish would claim 60% more
    assert figures.n_eff == pytest.approx(kish)  # n_eff, published, stays Kish's: it describes the weights


def test_when_everyone_is_at_risk_or_nobody_the_interval_falls_back_to_kish():
    figures = population_figures(np.array([[True]]), np.array([50]), np.array([2.0]), ONE, 1.0)
    assert figures.H_ci[1] == 1.0 and figures.H_ci[0] == pytest.approx(wilson_interval(50, 50)[0])
