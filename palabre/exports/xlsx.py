"""The CSV export as an Excel workbook: a "responses" sheet and a "questions" codebook.

The responses sheet holds the same columns and values as the CSV (participants by pseudonym only);
number answers are stored as numbers and times as date cells, so that officials can sum, sort and
filter them. Excel has no time zones: times are written in UTC, and their format shows "UTC".
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from flows.messages import yes_no_labels
from flows.model import Flow, Question
from models import Consultation
from palabre.consultations import flow_of
from palabre.exports.table import TIME_COLUMNS, columns, export_records

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Excel refuses to open a file with a longer cell, and XML cannot carry control characters.
EXCEL_MAX_CELL_CHARS = 32_767
REPLACEMENT = "\ufffd"
# Column widths in Excel's units (about one character each), chosen per kind of column because
# a write-only sheet must be sized before its rows are streamed.
WIDTHS = {"response_id": 18, "participant": 26, "channel": 10, "language": 10, "status": 11,
          "started_at": 24, "completed_at": 24}
# ISO order, whole seconds as in the CSV, and the zone as literal text (Excel stores none).
TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
TEXT_WIDTH, MIN_WIDTH, MAX_WIDTH = 50, 10, 40
HEADER_FONT = Font(bold=True)


def write_xlsx(session: Session, consultation: Consultation, out: str | IO[bytes]) -> int:
    """Write the workbook to a path or binary file; return the number of response rows."""
    flow = flow_of(consultation)
    # Write-only mode streams rows to disk instead of holding every cell in memory.
    workbook = Workbook(write_only=True)
    count = _responses_sheet(workbook.create_sheet("responses"), flow, export_records(session, consultation))
    _questions_sheet(workbook.create_sheet("questions"), flow)
    workbook.save(out)
    return count


def _responses_sheet(sheet: WriteOnlyWorksheet, flow: Flow, rows: Iterable[dict[str, Any]]) -> int:
    header = columns(flow)
    kinds = {q.id: q.type for q in flow.questions}
    _layout(sheet, [_width(name, flow) for name in header])
    sheet.append([_cell(sheet, name, bold=True) for name in header])
    count = 0
    for row in rows:
        sheet.append([_time_cell(sheet, row[name]) if name in TIME_COLUMNS
                      else _cell(sheet, _number(row[name]) if kinds.get(name) == "number" else row[name]) for name in header])
        count += 1
    return count


def _questions_sheet(sheet: WriteOnlyWorksheet, flow: Flow) -> None:
    """One row per question (its prompt per language), then one row per choice (its label per language)."""
    langs = list(flow.languages)
    _layout(sheet, [18, 13, 20, *(TEXT_WIDTH for _ in langs), 30])
    sheet.append([_cell(sheet, name, bold=True) for name in ["question_id", "type", "code", *langs, "details"]])
    for question in flow.questions:
        texts = [question.prompt.get(lang, "") for lang in langs]
        sheet.append([_cell(sheet, v) for v in [question.id, question.type, "", *texts, _details(question)]])
        for code, labels in choice_labels(question, flow).items():
            sheet.append([_cell(sheet, v) for v in [question.id, "choice", code, *(labels.get(l, "") for l in langs), ""]])


def choice_labels(question: Question, flow: Flow) -> dict[str, dict[str, str]]:
    """Each answer code of a closed question with its label per flow language (yes/no included)."""
    if question.type == "yes_no":
        by_lang = {lang: dict(yes_no_labels(lang)) for lang in flow.languages}
        return {code: {lang: by_lang[lang][code] for lang in flow.languages} for code in ("yes", "no")}
    return {c.code: dict(c.label) for c in question.choices}


def _details(question: Question) -> str:
    parts = []
    if question.min is not None:
        parts.append(f"min {_number(str(question.min))}")
    if question.max is not None:
        parts.append(f"max {_number(str(question.max))}")
    if question.integer:
        parts.append("whole number")
    if question.unit:
        parts.append(f"unit {question.unit}")
    if question.type == "multi_choice":
        parts.append("codes separated by spaces")
    if question.optional:
        parts.append("optional")
    return ", ".join(parts)


def _layout(sheet: WriteOnlyWorksheet, widths: list[float]) -> None:
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _width(name: str, flow: Flow) -> float:
    if name in WIDTHS:
        return WIDTHS[name]
    question = flow.question(name)
    if question.type == "text":
        return TEXT_WIDTH
    longest = max([len(name), *(len(c.code) for c in question.choices)])
    return min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)


def _cell(sheet: WriteOnlyWorksheet, value: Any, bold: bool = False) -> WriteOnlyCell:
    """A cell whose text is always a literal string, never a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)[:EXCEL_MAX_CELL_CHARS]
    cell = WriteOnlyCell(sheet, value=value if value != "" else None)
    if isinstance(value, str) and value:
        # openpyxl turns any string starting with "=" into a formula; citizens' text must stay text.
        cell.data_type = "s"
    if bold:
        cell.font = HEADER_FONT
    return cell


def _time_cell(sheet: WriteOnlyWorksheet, moment: datetime | None) -> WriteOnlyCell:
    """A date cell holding the UTC time without its zone, to the second like the CSV; empty for None."""
    if moment is None:
        return WriteOnlyCell(sheet, value=None)
    naive = moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)
    cell = WriteOnlyCell(sheet, value=naive)
    cell.number_format = TIME_FORMAT
    return cell


def _number(text: str) -> int | float | str:
    """A CSV number cell as a number ('90' -> 90, '1.5' -> 1.5); anything else unchanged."""
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() else number
