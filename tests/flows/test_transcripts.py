"""Golden conversations: replay each transcript's inputs through the engine and compare the whole text.

A transcript (tests/data/transcripts/*.txt) is plain text:

    # flow: flows/library/access_barriers.yaml     <- path from the repository root
    # language: en                                 <- optional, passed to start()
    Mairie: 14 questions ...                       <- what start() sends
    ---                                            <- between two messages of one step
    Langue / Language?
    1 Francais
    2 English
    > 2                                            <- the citizen's message
    Your answers stay anonymous ...                <- the reply, as bots.text.render_messages renders it
    ...
    # status: completed
    # answers: {"age": 34, ...}

Only the header and the `> ` lines are read; everything else is regenerated. Run with
UPDATE_GOLDEN=1 to rewrite the files, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bots.text import render_messages
from flows import engine
from flows.loader import load_flow

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "tests" / "data" / "transcripts"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
INPUT = "> "
SEPARATOR = "---"
SECONDS_PER_MESSAGE = 60.0
FILES = sorted(TRANSCRIPTS.glob("*.txt"))


def parse(text: str) -> tuple[list[str], dict[str, str], list[str]]:
    """The header lines, the header settings and the citizen's inputs of a transcript."""
    lines = text.splitlines()
    header = []
    for line in lines:
        if not line.startswith("#") or line.startswith(("# status:", "# answers:")):
            break
        header.append(line)
    settings = {}
    for line in header:
        key, sep, value = line[1:].partition(":")
        if sep:
            settings[key.strip()] = value.strip()
    inputs = [line[len(INPUT):] for line in lines if line.startswith(INPUT) or line == INPUT.strip()]
    return header, settings, inputs


def replay(header: list[str], settings: dict[str, str], inputs: list[str], start: float) -> str:
    """The transcript the engine produces today for these inputs, one minute apart from `start`."""
    flow = load_flow(ROOT / settings["flow"])
    now = start
    state, events = engine.start(flow, now, settings.get("language"))
    out = [*header, *_render(events)]
    for text in inputs:
        now += SECONDS_PER_MESSAGE
        state, events = engine.step(flow, state, text, now)
        out += [INPUT + text, *_render(events)]
    out.append(f"# status: {state.status}")
    out.append(f"# answers: {json.dumps(state.answers, sort_keys=True, ensure_ascii=False)}")
    return "\n".join(out) + "\n"


def _render(events) -> list[str]:
    lines: list[str] = []
    for i, message in enumerate(render_messages(events)):
        if i:
            lines.append(SEPARATOR)
        body = message.splitlines()
        # The format stays unambiguous only while no message line looks like an input or a comment.
        assert not [l for l in body if l.startswith((">", "#")) or l == SEPARATOR], message
        lines += body
    return lines


def test_there_are_transcripts():
    names = {path.name for path in FILES}
    assert {
        "access_barriers_fr.txt", "access_barriers_en.txt", "access_barriers_corrections.txt",
        "access_barriers_declined.txt", "access_barriers_stop.txt", "access_barriers_understood.txt",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_transcript(path: Path, now):
    expected = path.read_text(encoding="utf-8")
    header, settings, inputs = parse(expected)
    assert "flow" in settings, f"{path.name}: no '# flow: ...' header"
    actual = replay(header, settings, inputs, now.timestamp())
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    # The recorded outcome first, so a failure says plainly when the data changed, not only the words.
    assert _footer(actual, "# status:") == _footer(expected, "# status:")
    assert _footer(actual, "# answers:") == _footer(expected, "# answers:")
    assert actual == expected, f"{path.name} differs: run with UPDATE_GOLDEN=1 and review the diff"


def _footer(text: str, prefix: str):
    found = [line[len(prefix):].strip() for line in text.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, f"expected one '{prefix}' line"
    return json.loads(found[0]) if prefix == "# answers:" else found[0]
