import numpy as np
import pytest

from profiles.effective_n import design_effect, kish_effective_n, kish_effective_n_of_cells
from profiles.errors import InvalidInput


@pytest.mark.parametrize("n", [1, 7, 250])
def test_equal_weights_give_n(n):
    assert kish_effective_n(np.full(n, 3.2)) == pytest.approx(n)
    assert design_effect(np.full(n, 3.2)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "weights, n_eff",
    [
        ([1, 1, 2, 2], 36 / 10),  # (6)^2 / 10
        ([1, 3], 16 / 10),
        ([10, 0, 0], 1.0),
        ([0.5, 0.5, 1, 1, 2], 25 / 6.5),
    ],
)
def test_known_arrays(weights, n_eff):
    assert kish_effective_n(np.array(weights, dtype=float)) == pytest.approx(n_eff)


def test_design_effect_counts_only_positive_weights():
    assert design_effect(np.array([1.0, 3.0, 0.0])) == pytest.approx(2 / (16 / 10))


def test_all_zero_weights():
    assert kish_effective_n(np.zeros(3)) == 0.0
    with pytest.raises(InvalidInput, match="undefined"):
        design_effect(np.zeros(3))


def test_negative_weight_is_refused():
    with pytest.raises(InvalidInput):
        kish_effective_n(np.array([1.0, -1.0]))


def test_cells_equal_repeated_rows():
    weights, counts = np.array([1.0, 2.0, 0.5]), np.array([3, 1, 4])
    assert kish_effective_n_of_cells(weights, counts) == pytest.approx(kish_effective_n(np.repeat(weights, counts)))
    assert kish_effective_n_of_cells(np.ones(2), np.zeros(2)) == 0.0
