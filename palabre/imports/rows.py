"""What every layout reads a file into: one submission per row, its answer cells named by question id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from profiles.report import OFFLINE_CHANNELS  # noqa: F401  (people reached without a phone of their own)


class ImportRefused(ValueError):
    """A file that cannot be imported at all (unreadable, another flow, another version); the message says why."""


@dataclass(frozen=True)
class Problem:
    """Why a row cannot be imported: its spreadsheet row (the header is row 1) and the file's column."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"row {self.row}" + (f", column {self.column}" if self.column else "") + f": {self.message}"


@dataclass
class Submission:
    """One row of a file: the raw answer cells by question id, and what the layout says about the submission."""

    row: int
    cells: dict[str, str]  # question id -> the cell as text ('' when empty)
    columns: dict[str, str]  # question id -> the file's column it came from, for problems
    key: str  # the submission's own id (instanceID, KEY, response_id) or a hash of the row
    started_at: datetime | None = None
    completed_at: datetime | None = None
    language: str | None = None
    channel: str | None = None  # as the row says (Palabre's layout); None: the layout's default
    status: str | None = None  # as the row says (Palabre's layout)
    flow_tag: str | None = None  # the form's hidden `palabre_flow` value: '<flow id>:<sha256>'
    problems: list[Problem] = field(default_factory=list)
    skipped: str | None = None  # why a reviewer's verdict keeps it out (ODK Central's rejected)
    relay: str | None = None  # the association or relay the enumerator named, spaces tidied
    enumerator: str | None = None  # pseudonym of who collected it (never the name or account itself)
    device: str | None = None  # pseudonym of the tablet it was collected on
