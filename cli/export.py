"""`export SLUG --format csv|xlsx|floip [--excel] [-o FILE]`: the responses, without personal identifiers."""

from __future__ import annotations

import io
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import click
from flask import Flask

from palabre.consultations import UnknownConsultation, get_consultation
from palabre.exports.table import write_csv
from palabre.exports.floip import write_floip
from palabre.exports.xlsx import write_xlsx
from palabre.extensions import database

# The binary formats, with the file name suggested when -o is missing.
BINARY = {"xlsx": "{slug}.xlsx", "floip": "{slug}-flow-results.zip"}


def register(app: Flask) -> None:
    @app.cli.command("export")
    @click.argument("slug")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "floip"]), default="csv", show_default=True,
                  help="csv: one row per conversation; xlsx: the same as a workbook with a questions sheet; "
                       "floip: a FLOIP Flow Results package (zip), one row per answer.")
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                  help="File to write (default for csv: standard output; required for xlsx and floip).")
    @click.option("--excel", is_flag=True,
                  help="csv only: start with a UTF-8 byte order mark and end lines with CRLF, so that "
                       "Excel for Windows shows accents right.")
    def export(slug: str, fmt: str, output: str | None, excel: bool) -> None:
        """Export the responses of a consultation, participants by pseudonym only."""
        if excel and fmt != "csv":
            raise click.UsageError(f"--excel is for --format csv; --format {fmt} already opens in Excel as it is")
        if fmt in BINARY and not output:
            # A zip printed on a terminal is garbage at best and can upset the terminal.
            raise click.UsageError(f"--format {fmt} writes a binary file: give one with -o, "
                                   f"e.g. -o {BINARY[fmt].format(slug=slug)}")
        with database().session() as session:
            try:
                consultation = get_consultation(session, slug)
            except UnknownConsultation as exc:
                raise click.ClickException(f"{exc}; run `python app.py init` or check the slug") from exc
            if not output:  # csv only: binary formats were refused above
                if excel:
                    # UTF-8 whatever the terminal's encoding: the BOM promises it.
                    sys.stdout.flush()
                    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
                    write_csv(session, consultation, stdout, excel=True)
                    stdout.detach()  # flushes, and leaves the process's stdout open
                else:
                    write_csv(session, consultation, sys.stdout)
                return
            with _replacing(output, binary=fmt in BINARY) as handle:
                if fmt == "xlsx":
                    count, what = write_xlsx(session, consultation, handle), "rows"
                elif fmt == "floip":
                    count, what = write_floip(session, consultation, handle), "answers"
                else:
                    count, what = write_csv(session, consultation, handle, excel=excel), "rows"
            click.echo(f"{count} {what} written to {output}", err=True)


@contextmanager
def _replacing(path: str, binary: bool) -> Iterator[IO]:
    """A temporary file beside the target that replaces it once complete: a failed export leaves no half file."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from exc
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # the permissions open() would have given, not mkstemp's 0600
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
            yield handle
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
