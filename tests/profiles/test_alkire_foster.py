import json
from pathlib import Path

import numpy as np
import pytest

from profiles.alkire_foster import af_measures, af_measures_from_counts, deprivation_scores
from profiles.errors import InvalidInput

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "vectors" / "alkire_foster_2011.json").read_text())
PUBLISHED = 5e-7  # the paper's figures have 6 decimals


def vector_deprivations():
    # The paper's rule: deprived in j when y_ij < z_j, strictly.
    return np.array(VECTOR["y"]) < np.array(VECTOR["z"])


def random_deprivations(rng, n=200, d=5):
    deprived = rng.random((n, d)) < rng.uniform(0.1, 0.6, size=d)
    weights = rng.dirichlet(np.ones(d))
    return deprived, weights


def test_deprivation_scores_match_the_paper():
    scores = deprivation_scores(vector_deprivations(), np.array(VECTOR["weights"]))
    np.testing.assert_allclose(scores, VECTOR["deprivation_scores"], atol=PUBLISHED)


@pytest.mark.parametrize("case", VECTOR["by_cutoff"], ids=lambda case: f"k={case['k']}")
def test_measures_match_the_paper(case):
    result = af_measures(vector_deprivations(), np.array(VECTOR["weights"]), case["k"])
    assert result.n == 4
    assert result.H == pytest.approx(case["H"], abs=PUBLISHED)
    assert result.A == pytest.approx(case["A"], abs=PUBLISHED)
    assert result.M0 == pytest.approx(case["M0"], abs=PUBLISHED)
    np.testing.assert_allclose(result.censored_headcounts, case["censored_headcounts"], atol=PUBLISHED)
    np.testing.assert_allclose(result.contributions, case["contributions"], atol=PUBLISHED)


def test_uncensored_shares_ignore_the_cutoff():
    result = af_measures(vector_deprivations(), np.array(VECTOR["weights"]), 1.0)
    np.testing.assert_allclose(result.deprived_share, [0.25, 0.75, 0.25, 0.5])


def test_cutoff_equal_to_a_float_sum_still_identifies():
    # Six weights of 1/6 add up to 0.9999999999999999 and ten of 0.1 deprived in nine
    # to 0.8999999999999999: without the tolerance these people would not be poor.
    assert deprivation_scores(np.ones((1, 6), dtype=bool), np.full(6, 1 / 6))[0] < 1.0
    assert af_measures(np.ones((1, 6), dtype=bool), np.full(6, 1 / 6), 1.0).H == 1.0
    nine_of_ten = np.array([[True] * 9 + [False]])
    assert af_measures(nine_of_ten, np.full(10, 0.1), 0.9).H == 1.0
    assert af_measures(nine_of_ten, np.full(10, 0.1), 0.95).H == 0.0


def test_nobody_poor_gives_zero_intensity_and_contributions():
    deprived = np.zeros((3, 4), dtype=bool)
    result = af_measures(deprived, np.full(4, 0.25), 0.25)
    assert (result.H, result.A, result.M0) == (0.0, 0.0, 0.0)
    np.testing.assert_array_equal(result.contributions, np.zeros(4))


@pytest.mark.parametrize("k", [0.2, 0.34, 0.5, 1.0])
def test_m0_is_h_times_a_and_contributions_sum_to_one(k):
    rng = np.random.default_rng(11)
    deprived, weights = random_deprivations(rng)
    result = af_measures(deprived, weights, k, sample_weights=rng.uniform(0.2, 5.0, size=deprived.shape[0]))
    assert result.M0 == pytest.approx(result.H * result.A, abs=1e-12)
    assert result.M0 == pytest.approx(float(weights @ result.censored_headcounts), abs=1e-12)
    if result.M0 > 0:
        assert result.contributions.sum() == pytest.approx(1.0, abs=1e-12)


def test_equal_sample_weights_equal_unweighted():
    rng = np.random.default_rng(12)
    deprived, weights = random_deprivations(rng)
    plain = af_measures(deprived, weights, 0.3)
    weighted = af_measures(deprived, weights, 0.3, sample_weights=np.full(deprived.shape[0], 3.7))
    for field in ("H", "A", "M0"):
        assert getattr(weighted, field) == pytest.approx(getattr(plain, field), abs=1e-12)
    np.testing.assert_allclose(weighted.censored_headcounts, plain.censored_headcounts, atol=1e-12)
    np.testing.assert_allclose(weighted.contributions, plain.contributions, atol=1e-12)
    assert weighted.total_weight == pytest.approx(3.7 * deprived.shape[0])


@pytest.mark.parametrize("weighted", [False, True], ids=["counts", "weights"])
def test_patterns_with_counts_equal_the_row_wise_measures(weighted):
    rng = np.random.default_rng(13)
    deprived, weights = random_deprivations(rng, n=400, d=4)
    sample_weights = rng.uniform(0.5, 3.0, size=400) if weighted else None
    rows = af_measures(deprived, weights, 0.4, sample_weights)
    patterns, inverse, counts = np.unique(deprived, axis=0, return_inverse=True, return_counts=True)
    pattern_weights = np.bincount(inverse.ravel(), weights=sample_weights) if weighted else None
    grouped = af_measures_from_counts(patterns, counts, weights, 0.4, pattern_weights)
    assert patterns.shape[0] < 400
    assert grouped.n == rows.n == 400
    for field in ("H", "A", "M0", "total_weight"):
        assert getattr(grouped, field) == pytest.approx(getattr(rows, field), abs=1e-12)
    for field in ("censored_headcounts", "contributions", "deprived_share"):
        np.testing.assert_allclose(getattr(grouped, field), getattr(rows, field), atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"indicator_weights": np.array([0.5, 0.4])}, "indicator_weights"),
        ({"indicator_weights": np.array([0.5, 0.5, 0.0])}, "indicator_weights"),
        ({"cutoff": 0.0}, "cutoff"),
        ({"cutoff": 1.5}, "cutoff"),
        ({"sample_weights": np.array([1.0, -1.0])}, "sample_weights"),
        ({"sample_weights": np.array([1.0])}, "sample_weights"),
        ({"sample_weights": np.zeros(2)}, "sample_weights"),
        ({"deprived": np.array([1, 0])}, "deprived"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, argument):
    arguments = {"deprived": np.array([[True, False], [False, False]]), "indicator_weights": np.array([0.5, 0.5]), "cutoff": 0.5}
    with pytest.raises(InvalidInput) as raised:
        af_measures(**{**arguments, **kwargs})
    assert raised.value.argument == argument
