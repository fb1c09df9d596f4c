"""`flows export-xlsform`: the consultation as an XLSForm that pyxform turns into an XForm without a warning."""

from __future__ import annotations

import hashlib
import re

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from flows.expr import parse
from flows.loader import load_flow
from flows.xpath import NotExpressible, to_xpath
from palabre.config import ROOT
from palabre.exports.xlsform import METADATA

SHIPPED = ROOT / "flows" / "library" / "access_barriers.yaml"
EXAMPLE = ROOT / "docs" / "example_flow.yaml"


def export(runner, source, tmp_path):
    out = tmp_path / "form.xlsx"
    result = runner.invoke(args=["flows", "export-xlsform", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def rows(path, sheet):
    table = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    header = table[0]
    return [dict(zip(header, row)) for row in table[1:]]


@pytest.mark.parametrize("source", [SHIPPED, EXAMPLE], ids=["shipped", "docs-example"])
def test_the_form_converts_to_an_xform_without_errors_or_warnings(runner, tmp_path, source):
    warnings: list[str] = []
    xform = convert(xlsform=str(export(runner, source, tmp_path)), warnings=warnings).xform
    assert warnings == []
    flow = load_flow(source)
    for question in flow.questions:
        assert f"/{question.id}" in xform


def test_every_language_every_question_and_what_enumerators_add(runner, tmp_path):
    survey = rows(export(runner, SHIPPED, tmp_path), "survey")
    by_name = {row["name"]: row for row in survey}
    assert by_name["district"]["type"] == "select_one district"
    assert by_name["district"]["label::Français (fr)"] == "Dans quel quartier vivez-vous ?"
    assert by_name["district"]["label::English (en)"] == "Which district do you live in?"
    assert by_name["helper"]["type"] == "select_multiple helper"
    assert by_name["consent"]["type"] == "select_one yes_no"
    assert by_name["age"]["type"] == "integer"
    assert by_name["age"]["constraint"] == ". >= 10 and . <= 120"
    assert by_name["age"]["constraint_message::Français (fr)"] == "Un nombre entre 10 et 120"
    assert by_name["comment"]["required"] in (None, "")
    assert by_name["district"]["required"] == "yes"
    assert "STOP" in by_name["enumerator_consent"]["label::Français (fr)"], "the intro, read aloud"
    assert by_name["relay"]["type"] == "text"
    # The app records the interview's times, the tablet and the enumerator's username by itself.
    assert [(by_name[name]["type"], by_name[name].get("label::Français (fr)")) for name in METADATA] == \
        [(name, None) for name in METADATA]
    sha = hashlib.sha256(SHIPPED.read_text(encoding="utf-8").encode()).hexdigest()
    assert by_name["palabre_flow"]["calculation"] == f"'access-barriers:{sha}'"


def test_a_declined_consent_makes_the_rest_of_the_form_irrelevant(runner, tmp_path):
    by_name = {row["name"]: row for row in rows(export(runner, SHIPPED, tmp_path), "survey")}
    assert by_name["district"]["relevant"] == "not(${consent} = 'no')"
    assert by_name["consent"]["relevant"] in (None, "")


def test_an_opened_consultation_exports_by_its_slug(loaded, runner, tmp_path):
    settings_rows = rows(export(runner, "access-barriers", tmp_path), "settings")
    assert settings_rows[0]["form_id"] == "access_barriers"
    assert settings_rows[0]["default_language"] == "Français (fr)"


def test_an_unknown_source_says_what_it_expected(app, runner, tmp_path):
    result = runner.invoke(args=["flows", "export-xlsform", "nowhere", "-o", str(tmp_path / "f.xlsx")])
    assert result.exit_code == 1 and "neither a flow file nor a consultation" in result.output


@pytest.mark.parametrize("source, xpath", [
    ("age > 60", "${age} > 60"),
    ("60 < age", "${age} > 60"),
    ("district in ['nord', 'sud']", "(${district} = 'nord' or ${district} = 'sud')"),
    ("'nobody' in helper", "selected(${helper}, 'nobody')"),
    ("district != 'nord'", "(${district} != '' and ${district} != 'nord')"),
    ("comment == null", "${comment} = ''"),
    ("not (age >= 18 and consent == 'yes')", "not((${age} >= 18 and ${consent} = 'yes'))"),
])
def test_conditions_keep_their_meaning_in_xpath(source, xpath):
    flow = load_flow(SHIPPED)
    assert to_xpath(parse(source), flow) == xpath


def test_a_condition_on_something_the_form_does_not_ask_is_refused():
    with pytest.raises(NotExpressible, match="'channel' is not a question of the form"):
        to_xpath(parse("channel == 'sms'"), load_flow(SHIPPED))


def test_no_label_is_left_empty(runner, tmp_path):
    path = export(runner, SHIPPED, tmp_path)
    for sheet in ("survey", "choices"):
        for row in rows(path, sheet):
            for column, value in row.items():
                if column and re.match(r"label::", column) and row.get("type") not in ("calculate", *METADATA):
                    assert value, (sheet, row)
