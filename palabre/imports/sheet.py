"""A CSV or XLSX file as a header and rows of text cells, whatever the tool that wrote it."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from palabre.imports.rows import ImportRefused

XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
DELIMITERS = (",", ";", "\t")  # KoboToolbox writes ';' by default, French spreadsheets too


def read_sheet(data: bytes, filename: str = "") -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each data row with its spreadsheet row number (the header is row 1)."""
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        table = _xlsx(data)
    else:
        table = _csv(data)
    if not table or not any(cell.strip() for cell in table[0]):
        raise ImportRefused("the file is empty: expected a header row, then one row per questionnaire")
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    rows = [(number, cells) for number, cells in enumerate(table[1:], start=2) if any(c.strip() for c in cells)]
    return header, rows


def _csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel for Windows saves "CSV" in the ANSI code page unless told UTF-8.
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _xlsx(data: bytes) -> list[list[str]]:
    try:
        # The first sheet: KoboToolbox names it after the form, Palabre's export "responses".
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        return [[_text(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _text(value: Any) -> str:
    """A cell as the CSV export would have written it: 6.0 as '6', a date cell in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
