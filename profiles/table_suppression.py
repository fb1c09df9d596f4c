"""Small-cell suppression of a two-way table whose row and column totals are published too."""

from collections.abc import Collection, Mapping

from profiles.errors import InvalidInput


def suppress_table_cells(
    counts: Mapping[tuple, int],
    min_cell: int,
    published_rows: Collection = (),
    published_columns: Collection = (),
    total_published: bool = True,
    hidden_rows: Collection = (),
    hidden_columns: Collection = (),
) -> set[tuple]:
    """Return the (row, column) cells of a cross table that must not be shown."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise InvalidInput("min_cell", f"must be a positive integer, got {min_cell!r}")
    for cell, count in counts.items():
        if not (isinstance(cell, tuple) and len(cell) == 2):
            raise InvalidInput("counts", f"keys must be (row, column) pairs, got {cell!r}")
        if count < 0 or count != int(count):
            raise InvalidInput(f"counts[{cell!r}]", f"must be a non-negative whole number, got {count!r}")
    # Primary: every cell under min_cell, zeros included (see profiles.suppression).
    hidden = {cell for cell, count in counts.items() if count < min_cell}
    # Secondary: any published total (a row's, a column's, the table's) with exactly one hidden
    # cell gives that cell away by subtraction, so hide the smallest visible cell of that line
    # too; hiding it may open another line, hence the loop. This is the usual "two per line"
    # rule; it does not solve every linear combination of lines (as a full audit would).
    lines = [[cell for cell in counts if cell[0] == row] for row in published_rows]
    lines += [[cell for cell in counts if cell[1] == column] for column in published_columns]
    if total_published:
        lines.append(list(counts))
    # A row or column whose own total is hidden (it protects a small one in its margin) must keep
    # a hidden cell too: were all its cells shown, their sum would give that hidden total back.
    unpublished = [[cell for cell in counts if cell[0] == row] for row in hidden_rows]
    unpublished += [[cell for cell in counts if cell[1] == column] for column in hidden_columns]
    changed = True
    while changed:
        changed = False
        for line in unpublished:
            if line and not any(cell in hidden for cell in line):
                hidden.add(min((counts[cell], repr(cell), cell) for cell in line)[2])
                changed = True
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            visible = sorted((counts[cell], repr(cell), cell) for cell in line if cell not in hidden)
            if visible:
                hidden.add(visible[0][2])
                changed = True
    return hidden
