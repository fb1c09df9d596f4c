import pytest

from profiles.reliability import is_reliable


@pytest.mark.parametrize(
    "n_eff, ci, reliable",
    [
        (30.0, (0.20, 0.49), True),
        (29.9, (0.20, 0.30), False),
        (500.0, (0.20, 0.50), False),  # exactly 0.30 wide
        (500.0, (0.10, 0.15), True),
        (0.0, (0.0, 1.0), False),
    ],
)
def test_reliability_thresholds(n_eff, ci, reliable):
    assert is_reliable(n_eff, ci) is reliable
