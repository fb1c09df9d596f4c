"""Long commands draw a progress bar on a terminal and print nothing extra on a pipe."""

from __future__ import annotations

import io

from cli.progress import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def advance(out: io.StringIO) -> str:
    with ProgressBar("facts", file=out) as progress:
        for done in (10, 50, 100):
            progress(done, 100)
    return out.getvalue()


def test_a_terminal_sees_the_bar_reach_the_end():
    shown = advance(Terminal())
    assert "facts" in shown and "100%" in shown


def test_a_pipe_gets_nothing():
    assert advance(io.StringIO()) == ""

