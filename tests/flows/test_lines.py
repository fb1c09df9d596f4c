"""Problems point at their line in the flow file; the shipped and example flows ask consent and say STOP."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.consent import consent_warnings
from flows.lines import line_of, path_lines
from flows.loader import load_flow

ROOT = Path(__file__).resolve().parents[2]

TEXT = """\
id: poll
title: Poll
languages: [fr]
end: Merci
questions:
  - id: district
    type: choice
    prompt: Quartier ?
    choices:
      - {code: nord, label: Nord}
      - {code: nord, label: Nord bis}
"""


@pytest.mark.parametrize("path, line", [
    ("questions[0].choices[1].code", 11),  # the line of the value's key
    ("questions[0].prompt", 8),
    ("questions[0].when", 6),  # a missing key: the mapping it is missing from
    ("profile.cutoff", None),  # nothing of it in the file
    ("", None),
])
def test_a_path_is_found_at_its_line(path, line):
    assert line_of(path_lines(TEXT), path) == line


def test_invalid_yaml_has_no_path_lines():
    assert path_lines("a: [") == {}


def test_nested_aliases_are_walked_once_not_exponentially():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(12))
    assert len(path_lines(bomb)) < 200


@pytest.mark.parametrize("path", ["flows/library/access_barriers.yaml", "docs/example_flow.yaml"])
def test_the_shipped_flows_ask_consent_and_say_how_to_stop(path):
    assert consent_warnings(load_flow(ROOT / path)) == []
