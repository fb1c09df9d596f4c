"""`profiles compute` reads a clean file by columns (each distinct cell parsed once): the same profile as row by row."""

from __future__ import annotations

import io
import random

import pytest

from flows.loader import load_flow
from palabre.config import ROOT
from palabre.exports.table import format_value
from palabre.population import draw_persona
from profiles import from_csv
from profiles.from_csv import profile_from_csv
from profiles import responses_columns
from profiles.responses_columns import read_columns
from profiles.responses_csv import ResponsesInvalid

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
QUESTIONS = [q.id for q in FLOW.questions]
HEADER = ["response_id", "participant", "channel", "language", "status", "started_at", "completed_at", *QUESTIONS]
STATUSES = ["completed"] * 8 + ["declined", "active", "expired"]


def export_text(rows: int, seed: int = 7, delimiter: str = ",", clean: bool = False) -> str:
    """A file as an analyst gets it: codes and labels mixed, upper case, blank and short lines (unless clean), a BOM."""
    rng = random.Random(seed)
    lines = [delimiter.join(HEADER)]
    for i in range(rows):
        persona = draw_persona(rng)
        cells = [f"r{i}", f"p{i}", persona.channel.upper() if i % 7 == 0 else persona.channel, persona.language,
                 rng.choice(STATUSES), "", ""]
        for question in FLOW.questions:
            value = persona.answers.get(question.id)
            cell = format_value(value, question.type)
            if question.id == "gender" and value == "female" and i % 3 == 0:
                cell = "Une femme"  # a label typed instead of the code
            if question.type == "number" and value is not None and i % 11 == 0:
                cell = f" {cell} "
            cells.append(cell.replace(delimiter, " "))
        if i % 50 == 0 and not clean:
            lines.append("")  # a blank line
            lines.append(delimiter * 3)  # a line of empty cells
        if i % 97 == 0 and not clean:
            cells = cells[:HEADER.index("helper")]  # a short row: the last cells are empty
        lines.append(delimiter.join(cells))
    return "\ufeff" + "\n".join(lines) + "\n"


def row_by_row(monkeypatch, text: str) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(from_csv, "read_columns", lambda *args: None)
        return profile_from_csv(FLOW, io.StringIO(text), min_cell=5)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_columns_give_the_profile_rows_give(monkeypatch, delimiter):
    text = export_text(1500, delimiter=delimiter)
    seen = []
    by_columns = profile_from_csv(FLOW, io.StringIO(text), min_cell=5, progress=lambda done, size: seen.append((done, size)))
    assert by_columns == row_by_row(monkeypatch, text)
    assert by_columns["overall"]["n"] > 1000
    assert seen and seen[-1][0] == seen[-1][1]
    assert read_columns(io.StringIO(text), FLOW) is not None  # the columns did the work, not the fallback


def test_a_problem_is_named_with_its_row_and_column_as_before(monkeypatch):
    lines = export_text(300).splitlines()
    cells = lines[120].split(",")
    cells[HEADER.index("visit_cost")] = "expensiv"
    lines[120] = ",".join(cells)
    with pytest.raises(ResponsesInvalid) as caught:
        profile_from_csv(FLOW, io.StringIO("\n".join(lines)), min_cell=5)
    [problem] = caught.value.problems
    assert problem.startswith("row 121, column visit_cost: unknown code 'expensiv'")


def test_a_row_without_status_but_with_answers_is_a_problem():
    lines = export_text(60).splitlines()
    cells = lines[10].split(",")
    cells[HEADER.index("status")] = " "
    lines[10] = ",".join(cells)
    with pytest.raises(ResponsesInvalid) as caught:
        profile_from_csv(FLOW, io.StringIO("\n".join(lines)), min_cell=5)
    assert caught.value.problems == ["row 11, column status: unknown status '' (one of active, completed, declined, expired, opted_out)"]


@pytest.mark.parametrize("clean", [True, False], ids=["clean", "blank and short rows"])
def test_pyarrow_and_the_csv_module_read_the_same_columns(clean):
    pytest.importorskip("pyarrow")
    text = export_text(800, clean=clean, delimiter=";")
    fast, slow = (read_columns(io.StringIO(text), FLOW, use_arrow=use) for use in (True, False))
    header, _, rest = text.lstrip("\ufeff").partition("\n")
    used = responses_columns._read_with_arrow(rest, ";", len(header.split(";")), {"status": HEADER.index("status")})
    assert (used is not None) is clean  # pyarrow reads a clean file; the csv module the blank and short rows
    assert fast is not None and slow is not None and fast.rows == slow.rows
    for name, column in slow.columns.items():
        assert [fast.columns[name].values[c] for c in fast.columns[name].codes] == [column.values[c] for c in column.codes], name


def test_a_clean_file_gives_the_profile_rows_give(monkeypatch):
    text = export_text(1200, clean=True)
    assert profile_from_csv(FLOW, io.StringIO(text), min_cell=5) == row_by_row(monkeypatch, text)
