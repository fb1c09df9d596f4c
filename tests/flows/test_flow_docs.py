"""docs/flows.md documents every key the loader accepts, and every message a flow may reword."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.loader import CHOICE_KEYS, MESSAGE_KEYS, PURPOSES, QUESTION_KEYS, TOP_KEYS
from flows.model import QUESTION_TYPES
from flows.profile_rules import DIMENSION_KEYS, INDICATOR_KEYS, PROFILE_KEYS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "flows.md").read_text(encoding="utf-8")

KEYS = sorted({*TOP_KEYS, *QUESTION_KEYS, *CHOICE_KEYS, *PROFILE_KEYS, *DIMENSION_KEYS, *INDICATOR_KEYS,
               *MESSAGE_KEYS, *QUESTION_TYPES, *PURPOSES})


@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_documented(key):
    assert f"`{key}`" in DOC, f"docs/flows.md does not mention `{key}`"


def test_the_readme_links_the_flow_format():
    assert "(docs/flows.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
