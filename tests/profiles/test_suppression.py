import pytest

from profiles.errors import InvalidInput
from profiles.suppression import suppress_cells


def test_nothing_hidden_when_every_cell_reaches_the_minimum():
    assert suppress_cells({"a": 5, "b": 12, "c": 40}, min_cell=5) == set()


def test_one_small_cell_also_hides_the_next_smallest():
    assert suppress_cells({"a": 3, "b": 12, "c": 40, "d": 9}, min_cell=5) == {"a", "d"}


def test_two_small_cells_suffice():
    assert suppress_cells({"a": 3, "b": 4, "c": 40, "d": 9}, min_cell=5) == {"a", "b"}


def test_ties_for_next_smallest_break_by_name():
    assert suppress_cells({"z": 2, "m": 9, "b": 9, "q": 30}, min_cell=5) == {"z", "b"}


def test_all_small_cells_are_hidden():
    assert suppress_cells({"a": 1, "b": 2, "c": 0}, min_cell=5) == {"a", "b", "c"}


def test_zero_counts_are_hidden_too():
    assert suppress_cells({"a": 0, "b": 10, "c": 20}, min_cell=5) == {"a", "b"}


def test_without_a_published_total_one_small_cell_is_enough():
    assert suppress_cells({"a": 3, "b": 12, "c": 40}, min_cell=5, total_published=False) == {"a"}


def test_single_cell_partition():
    assert suppress_cells({"a": 3}, min_cell=5) == {"a"}


@pytest.mark.parametrize("counts, min_cell", [({"a": 1}, 0), ({"a": -1}, 5), ({"a": 1.5}, 5), ({"a": 1}, True)])
def test_bad_arguments_are_refused(counts, min_cell):
    with pytest.raises(InvalidInput):
        suppress_cells(counts, min_cell)
