"""A progress bar for long commands: drawn on a terminal (standard error), nothing on a pipe or a file."""

from __future__ import annotations

import sys
from typing import IO

import click


class ProgressBar:
    """Call with (done, total) as work advances; use as a context manager to end the bar's line."""

    def __init__(self, label: str, file: IO[str] | None = None):
        self.label, self.file = label, file or sys.stderr
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.file.isatty():  # a script reading our output wants the output only
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=self.file)
        self.bar.update(done - self.done)
        self.done = done

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()
