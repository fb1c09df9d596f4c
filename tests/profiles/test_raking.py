import numpy as np
import pytest

from profiles.errors import InvalidInput, RakingError
from profiles.raking import rake_weights

TARGETS = {
    "gender": {"female": 5100.0, "male": 4900.0},
    "age": {"18-34": 3500.0, "35-59": 4500.0, "60+": 2000.0},
}


def sample(n=600, seed=7):
    # Skewed on purpose: too many men and too few people over 60, like an SMS survey.
    rng = np.random.default_rng(seed)
    return {
        "gender": rng.choice(np.array(["female", "male"], dtype=object), size=n, p=[0.3, 0.7]),
        "age": rng.choice(np.array(["18-34", "35-59", "60+"], dtype=object), size=n, p=[0.6, 0.33, 0.07]),
    }


def weighted_margin(weights, column, value):
    return float(weights[column == value].sum())


def assert_margins_within(result, columns, targets, tolerance):
    for variable, values in targets.items():
        for value, target in values.items():
            achieved = weighted_margin(result.weights, columns[variable], value)
            assert abs(achieved - target) / target <= tolerance, f"{variable}={value}: {achieved} vs {target}"


def test_two_margins_are_met_within_a_tenth_of_a_percent():
    columns = sample()
    result = rake_weights(columns, TARGETS)
    assert result.converged
    assert result.max_margin_error <= 0.001
    assert_margins_within(result, columns, TARGETS, 0.001)
    assert result.weights.sum() == pytest.approx(10_000.0)
    assert result.population_total == 10_000.0
    assert result.unmatched == {"gender": 0, "age": 0}


def test_trimming_caps_and_floors_weights_and_keeps_the_margins():
    columns = sample()
    untrimmed = rake_weights(columns, TARGETS)
    mean = 10_000.0 / 600
    assert untrimmed.weights.max() > 5 * mean  # the sample needs trimming
    result = rake_weights(columns, TARGETS, trim_ratio=4.0)
    assert result.converged
    assert result.weights.max() == pytest.approx(4 * mean)  # the cap binds
    assert result.weights.max() <= 4 * mean * (1 + 1e-12)
    assert result.weights.min() >= mean / 4 * (1 - 1e-12)
    assert_margins_within(result, columns, TARGETS, 0.001)
    # The last step is the clip, so the total holds to the margin tolerance, not exactly.
    assert result.weights.sum() == pytest.approx(10_000.0, rel=0.001)


def test_impossible_trimming_reports_not_converged():
    columns = sample()
    result = rake_weights(columns, TARGETS, trim_ratio=1.05, max_iter=50)
    assert not result.converged
    assert result.iterations == 50
    assert result.max_margin_error > 0.001


def test_base_weights_are_the_starting_point():
    columns = sample()
    base = np.where(columns["gender"] == "female", 2.0, 1.0)
    result = rake_weights(columns, TARGETS, base_weights=base)
    assert result.converged
    assert_margins_within(result, columns, TARGETS, 0.001)


def test_zero_base_weight_stays_zero_even_when_trimming():
    columns = sample()
    base = np.ones(600)
    base[:5] = 0.0
    result = rake_weights(columns, TARGETS, base_weights=base, trim_ratio=4.0)
    np.testing.assert_array_equal(result.weights[:5], np.zeros(5))
    assert result.converged


def test_respondents_without_a_target_keep_weight_and_answerers_match_proportions():
    columns = sample()
    columns["age"][:40] = None  # skipped the question
    columns["age"][40:45] = "prefer not to say"
    result = rake_weights(columns, TARGETS)
    assert result.converged
    assert result.unmatched == {"gender": 0, "age": 45}
    assert np.all(result.weights[:45] > 0)
    assert result.weights.sum() == pytest.approx(10_000.0)
    assert_margins_within(result, columns, {"gender": TARGETS["gender"]}, 0.001)
    answered = result.weights[45:].sum()
    for value, target in TARGETS["age"].items():
        share = weighted_margin(result.weights, columns["age"], value) / answered
        assert share == pytest.approx(target / 10_000.0, rel=0.001)


def test_empty_target_cell_names_variable_and_value():
    columns = sample()
    targets = {**TARGETS, "gender": {"female": 5000.0, "male": 4900.0, "other": 100.0}}
    with pytest.raises(RakingError) as raised:
        rake_weights(columns, targets)
    assert str(raised.value) == "gender=other: no respondent in this cell, cannot weight"
    assert (raised.value.variable, raised.value.value) == ("gender", "other")


def test_targets_within_one_percent_are_rescaled_to_the_first_variable():
    columns = sample()
    targets = {**TARGETS, "age": {"18-34": 3530.0, "35-59": 4530.0, "60+": 2020.0}}  # totals 10,080
    result = rake_weights(columns, targets)
    assert result.population_total == 10_000.0
    assert result.weights.sum() == pytest.approx(10_000.0)
    assert weighted_margin(result.weights, columns["age"], "60+") == pytest.approx(2020.0 / 1.008, rel=0.001)


def test_targets_disagreeing_by_more_than_one_percent_are_refused():
    targets = {**TARGETS, "age": {"18-34": 3500.0, "35-59": 4500.0, "60+": 2500.0}}
    with pytest.raises(RakingError, match=r"^age: targets total 10500 but gender totals 10000") as raised:
        rake_weights(sample(), targets)
    assert raised.value.value is None


@pytest.mark.parametrize(
    "targets, message",
    [
        ({"region": {"north": 1.0}}, "region: targets given but no column of answers"),
        ({"gender": {"female": 0.0, "male": 10.0}}, "gender=female: target must be a positive number, got 0.0"),
    ],
)
def test_unusable_targets_are_refused(targets, message):
    with pytest.raises(RakingError) as raised:
        rake_weights(sample(), targets)
    assert str(raised.value) == message


def test_columns_of_different_lengths_are_refused():
    columns = sample()
    columns["age"] = columns["age"][:-1]
    with pytest.raises(InvalidInput, match="differ in length"):
        rake_weights(columns, TARGETS)


def test_trim_ratio_must_exceed_one():
    with pytest.raises(InvalidInput) as raised:
        rake_weights(sample(), TARGETS, trim_ratio=1.0)
    assert raised.value.argument == "trim_ratio"


@pytest.mark.parametrize("trim_ratio", [None, 4.0])
def test_rows_with_frequencies_rake_like_the_repeated_respondents(trim_ratio):
    columns = sample()
    cells, inverse, counts = np.unique(
        np.array([f"{g}|{a}" for g, a in zip(columns["gender"], columns["age"])]), return_inverse=True, return_counts=True
    )
    collapsed = {
        "gender": np.array([c.split("|")[0] for c in cells], dtype=object),
        "age": np.array([c.split("|")[1] for c in cells], dtype=object),
    }
    per_row = rake_weights(columns, TARGETS, trim_ratio=trim_ratio)
    per_cell = rake_weights(collapsed, TARGETS, trim_ratio=trim_ratio, frequencies=counts)
    assert per_cell.converged == per_row.converged
    assert per_cell.iterations == per_row.iterations
    np.testing.assert_allclose(per_cell.weights[inverse], per_row.weights, rtol=1e-12)
    assert per_cell.weights @ counts == pytest.approx(per_row.weights.sum())


def test_frequencies_count_unmatched_respondents():
    columns = {"gender": np.array(["female", "male", None], dtype=object)}
    result = rake_weights(columns, {"gender": TARGETS["gender"]}, frequencies=np.array([3, 2, 4]))
    assert result.unmatched == {"gender": 4}


def test_fractional_frequencies_are_refused():
    with pytest.raises(InvalidInput) as raised:
        rake_weights({"gender": np.array(["female", "male"], dtype=object)}, {"gender": TARGETS["gender"]}, frequencies=np.array([1.5, 2]))
    assert raised.value.argument == "frequencies"
