"""Flow loading and validation: one broken file per rule, each paired with its exact messages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from flows.errors import FlowInvalid
from flows.loader import MAX_FLOW_BYTES, check_flow_file, check_flow_text, load_flow

TESTS = Path(__file__).resolve().parent.parent
BROKEN = TESTS / "data" / "flows" / "broken"
SHIPPED = TESTS.parent / "flows" / "library" / "access_barriers.yaml"
EXPECT = "# expect: "

MINIMAL = """\
id: poll
title: {fr: Sondage, en: Poll}
languages: [fr, en]
end: Merci / Thank you
questions:
  - {id: happy, type: yes_no, prompt: {fr: "Satisfait ?", en: "Satisfied?"}}
"""


def expected_errors(path: Path) -> list[str]:
    """The `# expect: ...` lines of a broken flow file, sorted."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(line[len(EXPECT):] for line in lines if line.startswith(EXPECT))


BROKEN_FILES = sorted(BROKEN.glob("*.yaml"))


def test_broken_examples_exist_and_say_what_they_expect():
    assert len(BROKEN_FILES) >= 40
    for path in BROKEN_FILES:
        assert expected_errors(path), f"{path.name} has no '{EXPECT}' line"


@pytest.mark.parametrize("path", BROKEN_FILES, ids=[p.name for p in BROKEN_FILES])
def test_broken_flow_reports_exactly_its_errors(path):
    flow, problems = check_flow_file(path)
    assert flow is None
    errors = sorted(str(p) for p in problems if p.level == "error")
    assert errors == expected_errors(path)


# -- the shipped flow ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return load_flow(SHIPPED)


def test_shipped_flow_has_no_errors_or_warnings():
    flow, problems = check_flow_file(SHIPPED)
    assert flow is not None
    assert [str(p) for p in problems] == []


def test_shipped_flow_shape(shipped):
    assert shipped.id == "access-barriers"
    assert shipped.languages == ("fr", "en")
    assert len(shipped.questions) <= 14
    assert shipped.profile is not None
    assert math.isclose(sum(i.weight for i in shipped.profile.indicators), 1.0)


def test_indicator_weights_split_the_dimension_weight_equally(shipped):
    delays = next(d for d in shipped.profile.dimensions if d.id == "delays")
    assert [i.weight for i in delays.indicators] == [0.125, 0.125]


@pytest.mark.parametrize(
    "age, band",
    [(17, "<18"), (18, "18-29"), (29, "18-29"), (30, "30-44"), (60, "60+"), (95, "60+")],
)
def test_age_bands(shipped, age, band):
    assert shipped.question("age").band(age) == band


def test_age_band_labels(shipped):
    assert shipped.question("age").band_labels() == ("<18", "18-29", "30-44", "45-59", "60+")


# -- small flows -----------------------------------------------------------------------


def test_plain_string_text_applies_to_every_language():
    flow, problems = check_flow_text(MINIMAL)
    assert problems == []
    assert flow.end == {"fr": "Merci / Thank you", "en": "Merci / Thank you"}


def test_flow_without_profile_is_a_plain_poll():
    flow, problems = check_flow_text(MINIMAL)
    assert flow is not None and problems == []
    assert flow.profile is None
    assert [q.id for q in flow.questions] == ["happy"]


def test_file_larger_than_the_limit(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(MINIMAL + "#" * MAX_FLOW_BYTES, encoding="utf-8")
    flow, problems = check_flow_file(path)
    assert flow is None
    assert [str(p) for p in problems] == [f"file is larger than {MAX_FLOW_BYTES} bytes"]


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("Sondage", "Sondage élu").encode("latin-1"))
    flow, problems = check_flow_file(path)
    assert flow is None
    assert [str(p) for p in problems] == [f"not UTF-8 text (byte {MINIMAL.index('Sondage') + len('Sondage ')})"]


def test_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(MINIMAL.encode("utf-8-sig"))
    flow, problems = check_flow_file(path)
    assert flow is not None and problems == []


def test_missing_file(tmp_path):
    flow, problems = check_flow_file(tmp_path / "nowhere.yaml")
    assert flow is None
    assert [str(p) for p in problems] == ["cannot read file: No such file or directory"]


def test_load_flow_raises_flow_invalid_with_problems():
    path = BROKEN / "choice_code_duplicate.yaml"
    with pytest.raises(FlowInvalid) as caught:
        load_flow(path)
    assert [str(p) for p in caught.value.problems] == ["questions[3].choices[1].code: duplicate code '2'"]
    assert caught.value.source == str(path)
    assert str(caught.value) == f"{path}: questions[3].choices[1].code: duplicate code '2'"


def test_yaml_merge_keys_may_be_overridden():
    text = MINIMAL.replace(
        "  - {id: happy,",
        "  - &base {id: base, type: yes_no, prompt: Base}\n  - {<<: *base, id: happy,",
    )
    flow, problems = check_flow_text(text)
    assert problems == []
    assert [q.id for q in flow.questions] == ["base", "happy"]
