"""Checking a file reads each distinct cell once (palabre.imports.check.Memo), and says exactly what it said before."""

from __future__ import annotations

import csv
import io

from flows.loader import load_flow
from palabre.imports.check import Checked, Memo, check
from palabre.imports.detect import read_file
from tests.palabre.imports.conftest import FORM
from tests.palabre.imports.test_import_files import KOBO_CSV

# Cells that break each engine rule, or read as a command, or need the engine's guessing: each put in
# several rows, so that the memo answers most of them from what it read before.
CHANGES = [
    ("visit_cost", "a_little"), ("age", "7"), ("age", "forty"), ("travel_minutes", "1h30"), ("district", ""),
    ("district", "Nord"), ("helper", "family nobody"), ("helper", "Famille ou amis, Une association"),
    ("helper", "famly"), ("gender", "STOP"), ("consent", "no"), ("comment", "skip"), ("wait", "BACK"),
    ("visits_needed", "2.5"), ("phone", "smartfone"),
]


def varied_file() -> bytes:
    header, *rows = list(csv.reader(io.StringIO(KOBO_CSV.read_text(encoding="utf-8")), delimiter=";"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for n in range(3 * len(CHANGES)):
        row = list(rows[n % len(rows)])
        column, value = CHANGES[n % len(CHANGES)]
        row[header.index(column)] = value
        row[header.index("_uuid")] = f"row-{n}"
        writer.writerow(row)
    return out.getvalue().encode()


def test_every_row_reads_the_same_with_the_memo_as_without_it(now):
    flow = load_flow(FORM)
    _, submissions = read_file(varied_file(), "kobo.csv", flow, lambda kind, raw: "p")
    memo, problems, valid = Memo(), 0, 0
    for submission in submissions:
        alone = check(flow, submission, now.timestamp())
        remembered = check(flow, submission, now.timestamp(), memo)
        if isinstance(alone, Checked):
            valid += 1
            assert isinstance(remembered, Checked), submission.row
            assert (remembered.state, remembered.answers) == (alone.state, alone.answers), submission.row
        else:
            problems += 1
            assert [str(p) for p in remembered] == [str(p) for p in alone], submission.row  # word for word
    assert problems >= 20 and valid >= 10  # the file exercises both sides
    assert len(memo.replies) < sum(len(s.cells) for s in submissions) / 5  # most cells were read before


def test_rows_with_the_same_choices_do_not_share_one_list(now):
    flow = load_flow(FORM)
    header, rows = KOBO_CSV.read_text(encoding="utf-8").split("\n", 1)
    _, submissions = read_file(f"{header}\n{rows}{rows}".encode(), "kobo.csv", flow, lambda kind, raw: "p")
    memo = Memo()
    first, again = (check(flow, submissions[i], now.timestamp(), memo) for i in (0, 5))  # the same row, twice
    assert first.answers["helper"] == again.answers["helper"] == (["association"], "association")
    first.answers["helper"][0].append("nobody")  # one conversation's list changed...
    assert again.answers["helper"][0] == ["association"]  # ...the other's is its own
