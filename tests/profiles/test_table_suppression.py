import pytest

from profiles.errors import InvalidInput
from profiles.table_suppression import suppress_table_cells


def table(rows):
    return {(r, c): count for r, line in enumerate(rows) for c, count in enumerate(line)}


def lines_with_one_hidden(counts, hidden):
    rows = {r for r, _ in counts}
    cols = {c for _, c in counts}
    lines = [[k for k in counts if k[0] == r] for r in rows] + [[k for k in counts if k[1] == c] for c in cols]
    return [line for line in lines if sum(k in hidden for k in line) == 1]


def test_nothing_hidden_when_every_cell_is_large():
    counts = table([[20, 30], [40, 50]])
    assert suppress_table_cells(counts, 10, published_rows=[0, 1], published_columns=[0, 1]) == set()


def test_a_small_cell_hides_a_rectangle():
    # Row 0 and column 0 both publish their totals: one hidden cell alone would be recoverable.
    counts = table([[3, 30, 25], [40, 50, 60], [45, 55, 65]])
    hidden = suppress_table_cells(counts, 10, published_rows=[0, 1, 2], published_columns=[0, 1, 2])
    assert (0, 0) in hidden and len(hidden) == 4
    assert hidden == {(0, 0), (0, 2), (1, 0), (1, 2)}
    assert lines_with_one_hidden(counts, hidden) == []


def test_unpublished_margins_need_no_partner():
    counts = table([[3, 30], [40, 50]])
    assert suppress_table_cells(counts, 10, total_published=False) == {(0, 0)}


@pytest.mark.parametrize("seed", range(5))
def test_no_published_line_is_left_with_a_single_hidden_cell(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    counts = table(rng.integers(0, 40, size=(5, 4)).tolist())
    hidden = suppress_table_cells(counts, 10, published_rows=range(5), published_columns=range(4))
    assert all(counts[k] >= 10 for k in set(counts) - hidden)
    assert lines_with_one_hidden(counts, hidden) == []


def test_bad_keys_are_refused():
    with pytest.raises(InvalidInput):
        suppress_table_cells({"a": 3}, 10)


def test_a_column_whose_total_is_hidden_never_shows_all_its_cells():
    # Column 1's total (40) is hidden to protect column 2's (4): were its cells 12, 13, 15 all shown,
    # their sum would give 40 back, then the grand total minus columns 0 and 1 would give the 4.
    counts = table([[30, 12, 1, 2], [30, 13, 1, 2], [30, 15, 2, 1]])
    without = suppress_table_cells(counts, 10, published_rows=[0, 1, 2], published_columns=[0])
    assert not any(cell in without for cell in [(0, 1), (1, 1), (2, 1)])  # the leak this rule closes
    hidden = suppress_table_cells(counts, 10, published_rows=[0, 1, 2], published_columns=[0], hidden_columns=[1])
    assert any(cell in hidden for cell in [(0, 1), (1, 1), (2, 1)])
    # Hiding one of them opened its row and column 0: each published line keeps two hidden cells or none.
    published = [[k for k in counts if k[0] == r] for r in range(3)] + [[k for k in counts if k[1] == 0]]
    assert all(sum(k in hidden for k in line) != 1 for line in published)
