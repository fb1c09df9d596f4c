"""Small-cell suppression of a partition's counts (primary and secondary)."""

from collections.abc import Mapping

from profiles.errors import InvalidInput

# Why a published cell is hidden: "small" (primary: fewer than min_cell respondents) or
# "complementary" (secondary: big enough, hidden only so that a small cell cannot be worked out).
SMALL = "small"
COMPLEMENTARY = "complementary"


def suppress_cells(counts: Mapping[str, int], min_cell: int, total_published: bool = True) -> set[str]:
    """Return the cells of one partition whose counts must not be shown."""
    _check(counts, min_cell)
    # Primary: any count below min_cell, including 0. Showing "0" tells everyone that
    # nobody in, say, a village answered "disabled", which is itself a disclosure; and
    # hiding zeros means a hidden cell never hints that it is non-empty.
    hidden = {cell for cell, count in counts.items() if count < min_cell}
    # Secondary: with the total published, one hidden cell equals total minus the rest,
    # so also hide the smallest visible cell (ties broken by name, to be reproducible).
    if total_published and len(hidden) == 1:
        visible = sorted((count, cell) for cell, count in counts.items() if cell not in hidden)
        # A one-cell partition is its own total: the caller must hide that total as well.
        if visible:
            hidden.add(visible[0][1])
    return hidden


def suppression_kind(count: int, min_cell: int) -> str:
    """Why a hidden cell of this count is hidden: it is small, or it protects a small one."""
    return SMALL if count < min_cell else COMPLEMENTARY


def _check(counts: Mapping[str, int], min_cell: int) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise InvalidInput("min_cell", f"must be a positive integer, got {min_cell!r}")
    for cell, count in counts.items():
        if count < 0 or count != int(count):
            raise InvalidInput(f"counts[{cell!r}]", f"must be a non-negative whole number, got {count!r}")
