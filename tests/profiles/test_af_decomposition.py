import json
from pathlib import Path

import numpy as np
import pytest

from profiles.af_decomposition import af_decomposition, population_weighted_m0, subgroup_contributions
from profiles.alkire_foster import af_measures
from profiles.errors import InvalidInput

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "vectors" / "alkire_foster_2011.json").read_text())
SUBGROUPS = VECTOR["subgroups_at_k_0.5"]
PUBLISHED = 5e-7


def vector_labels():
    labels = np.empty(len(VECTOR["y"]), dtype=int)
    for group, rows in enumerate(SUBGROUPS["groups"]):
        labels[rows] = group
    return labels


def test_subgroup_decomposition_matches_the_paper():
    deprived = np.array(VECTOR["y"]) < np.array(VECTOR["z"])
    result = af_decomposition(deprived, np.array(VECTOR["weights"]), 0.5, vector_labels())
    np.testing.assert_allclose(result.M0_by_group, SUBGROUPS["M0"], atol=PUBLISHED)
    np.testing.assert_allclose(result.contributions, SUBGROUPS["contribution_to_M0"], atol=PUBLISHED)
    np.testing.assert_allclose(result.population_shares, [0.5, 0.5])
    assert result.overall.M0 == pytest.approx(0.375, abs=PUBLISHED)


def test_helpers_reproduce_the_paper_from_group_m0():
    shares = np.array([0.5, 0.5])
    assert population_weighted_m0(np.array(SUBGROUPS["M0"]), shares) == pytest.approx(0.375)
    np.testing.assert_allclose(subgroup_contributions(np.array(SUBGROUPS["M0"]), shares), SUBGROUPS["contribution_to_M0"], atol=PUBLISHED)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_m0_decomposes_exactly_by_weighted_groups(seed):
    rng = np.random.default_rng(seed)
    deprived = rng.random((300, 6)) < 0.35
    weights = rng.dirichlet(np.ones(6))
    sample_weights = rng.uniform(0.1, 4.0, size=300)
    labels = rng.choice(np.array(["north", "south", "east"]), size=300)
    result = af_decomposition(deprived, weights, 0.33, labels, sample_weights)
    assert result.groups == ("east", "north", "south")
    assert population_weighted_m0(result.M0_by_group, result.population_shares) == pytest.approx(result.overall.M0, abs=1e-12)
    assert result.contributions.sum() == pytest.approx(1.0, abs=1e-12)
    for label in result.groups:
        rows = labels == label
        assert result.by_group[label].M0 == pytest.approx(af_measures(deprived[rows], weights, 0.33, sample_weights[rows]).M0)


def test_zero_m0_gives_zero_contributions():
    np.testing.assert_array_equal(subgroup_contributions(np.zeros(2), np.array([0.3, 0.7])), np.zeros(2))


def test_shares_must_sum_to_one():
    with pytest.raises(InvalidInput, match="sum to 1"):
        population_weighted_m0(np.array([0.2, 0.4]), np.array([0.5, 0.4]))
