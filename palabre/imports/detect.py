"""Tell which tool wrote a file from its header, and read its rows."""

from __future__ import annotations

from flows.model import Flow
from palabre.imports.kobo import KOBO
from palabre.imports.layout import Layout, Pseudonymise, read_rows
from palabre.imports.odk_central import ODK_CENTRAL
from palabre.imports.palabre_layout import PALABRE
from palabre.imports.rows import Submission
from palabre.imports.sheet import read_sheet

LAYOUTS = (KOBO, ODK_CENTRAL, PALABRE)
HXL_TAG = "#"


def layout_of(header: list[str]) -> Layout:
    """The layout whose marker columns the header has most of; Palabre's (a typed sheet) when none."""
    best = max(LAYOUTS, key=lambda layout: len(layout.markers & set(header)))
    return best if best.markers & set(header) else PALABRE


def read_file(data: bytes, filename: str, flow: Flow, pseudonymise: Pseudonymise) -> tuple[Layout, list[Submission]]:
    """The file's layout and its rows as submissions; ImportRefused when it cannot be read for this flow."""
    header, rows = read_sheet(data, filename)
    layout = layout_of(header)
    # KoboToolbox may put a row of HXL hashtags under the header: it is not a submission.
    rows = [(n, cells) for n, cells in rows if not all(c.startswith(HXL_TAG) or not c.strip() for c in cells)]
    return layout, read_rows(layout, flow, header, rows, pseudonymise)
