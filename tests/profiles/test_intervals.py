import json
import math
from pathlib import Path

import pytest

from profiles.errors import InvalidInput
from profiles.incomplete_beta import beta_quantile, regularized_incomplete_beta
from profiles.intervals import clopper_pearson_interval, wilson_interval, wilson_interval_from_share

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "vectors" / "wilson_newcombe_1998.json").read_text())
PUBLISHED = 5e-5  # Newcombe's table has 4 decimals


def case_id(case):
    return f"{case['x']}/{case['n']}"


@pytest.mark.parametrize("case", VECTOR["cases"], ids=case_id)
def test_wilson_matches_newcombe(case):
    assert wilson_interval(case["x"], case["n"], z=VECTOR["z"]) == pytest.approx(tuple(case["wilson"]), abs=PUBLISHED)


@pytest.mark.parametrize("case", VECTOR["cases"], ids=case_id)
def test_clopper_pearson_matches_newcombe(case):
    assert clopper_pearson_interval(case["x"], case["n"]) == pytest.approx(tuple(case["clopper_pearson"]), abs=PUBLISHED)


@pytest.mark.parametrize("case", VECTOR["cases"], ids=case_id)
def test_wilson_from_share_equals_counts(case):
    share = case["x"] / case["n"]
    assert wilson_interval_from_share(share, case["n"]) == pytest.approx(wilson_interval(case["x"], case["n"]), abs=1e-12)


def test_intervals_are_clamped_and_total_at_the_edges():
    assert wilson_interval(20, 20) == (pytest.approx(1 - 0.1611, abs=PUBLISHED), 1.0)
    assert clopper_pearson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert clopper_pearson_interval(0, 0) == (0.0, 1.0)


def test_fractional_weighted_counts_are_accepted():
    lower, upper = wilson_interval(12.6, 40.3)
    assert 0 < lower < 12.6 / 40.3 < upper < 1
    lower, upper = clopper_pearson_interval(12.6, 40.3)
    assert 0 < lower < 12.6 / 40.3 < upper < 1


@pytest.mark.parametrize("successes, n", [(-1, 10), (11, 10), (1, -1), (math.nan, 10)])
def test_impossible_counts_are_refused(successes, n):
    with pytest.raises(InvalidInput):
        wilson_interval(successes, n)
    with pytest.raises(InvalidInput):
        clopper_pearson_interval(successes, n)


@pytest.mark.parametrize("n", [1, 5, 30, 200])
@pytest.mark.parametrize("p", [0.03, 0.3, 0.5, 0.9])
def test_incomplete_beta_is_the_binomial_tail(n, p):
    # P(X >= x) for X ~ Binomial(n, p) equals I_p(x, n - x + 1).
    for x in range(1, n + 1, max(1, n // 7)):
        tail = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(x, n + 1))
        assert regularized_incomplete_beta(x, n - x + 1, p) == pytest.approx(tail, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("a, b", [(0.5, 0.5), (2.0, 7.5), (300.0, 40.0)])
def test_beta_quantile_inverts_the_cdf(a, b):
    for q in (0.025, 0.5, 0.975):
        assert regularized_incomplete_beta(a, b, beta_quantile(q, a, b)) == pytest.approx(q, abs=1e-12)
