import json
from pathlib import Path

import numpy as np
import pytest

from profiles.errors import InvalidInput
from profiles.ipf import ipf_matrix

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "vectors" / "ipf_wikipedia.json").read_text())
# The published table has 2 decimals: half a unit in the last place.
PUBLISHED = 0.005


def fit(**kwargs):
    return ipf_matrix(np.array(VECTOR["seed"]), np.array(VECTOR["row_targets"]), np.array(VECTOR["column_targets"]), **kwargs)


def test_converged_fit_rounds_to_the_published_table():
    # The published figures are the fixed point rounded to 2 decimals (ProportionalFitting.jl
    # prints the same fit as 64.5585, 46.2325, ...); largest gap to them is 0.0047.
    fitted, iterations, converged = fit()
    assert converged
    np.testing.assert_allclose(fitted, VECTOR["fitted"], atol=PUBLISHED)
    np.testing.assert_allclose(fitted.sum(axis=1), VECTOR["row_targets"], rtol=1e-10)
    np.testing.assert_allclose(fitted.sum(axis=0), VECTOR["column_targets"], rtol=1e-10)
    assert iterations < 30


def test_the_vectors_tolerance_is_not_where_the_published_digits_come_from():
    # Read as "stop once every margin is within 0.01 of its target", the vector's tolerance
    # stops after 4 sweeps, 0.0067 from the table: within 0.01, but it would print other
    # digits. So the table is the converged fit, rounded; "tolerance" is its precision.
    sweeps = 1
    while np.max(np.abs(fit(max_iter=sweeps).fitted.sum(axis=1) - VECTOR["row_targets"])) > VECTOR["tolerance"]:
        sweeps += 1
    early = fit(max_iter=sweeps).fitted
    assert sweeps == 4
    np.testing.assert_allclose(early, VECTOR["fitted"], atol=VECTOR["tolerance"])
    assert np.max(np.abs(early - VECTOR["fitted"])) > PUBLISHED


def test_budget_exhausted_reports_not_converged():
    fitted, iterations, converged = fit(max_iter=2)
    assert (iterations, converged) == (2, False)


def test_margins_with_different_totals_are_refused():
    with pytest.raises(InvalidInput, match="differs from the row total"):
        ipf_matrix(np.ones((2, 2)), np.array([1.0, 2.0]), np.array([1.0, 1.0]))


def test_positive_target_on_an_empty_seed_line_is_refused():
    with pytest.raises(InvalidInput) as raised:
        ipf_matrix(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    assert raised.value.argument == "col_targets[1]"
