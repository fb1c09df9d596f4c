"""`flows import-xlsform`: XLSForms become flows the engine runs; the shipped flow survives a round trip."""

from __future__ import annotations

import itertools
import shutil

import pytest

from flows import engine
from flows.events import Ask, Finished
from flows.loader import load_flow
from palabre.config import ROOT

SAMPLES = ROOT / "tests" / "data" / "xlsform"  # pyxform's own examples, copied from shared/samples
SHIPPED = ROOT / "flows" / "library" / "access_barriers.yaml"
T0 = 1_772_443_800.0


def import_form(runner, form, tmp_path, *options):
    out = tmp_path / "imported.yaml"
    result = runner.invoke(args=["flows", "import-xlsform", str(form), "-o", str(out), *options])
    return result, out


def run(flow, language, answers):
    """Answer a flow with the given texts; return the questions asked and whether it finished."""
    state, events = engine.start(flow, T0, language)
    asked = []
    for answer in answers:
        asked += [e.question_id for e in events if isinstance(e, Ask) and e.question_id not in asked[-1:]]
        if any(isinstance(e, Finished) for e in events):
            break
        state, events = engine.step(flow, state, answer, T0 + 60)
    finished = any(isinstance(e, Finished) for e in events)
    return asked, state, finished


@pytest.mark.parametrize("sample, answers", [
    ("text_and_integer.xlsx", ["Awa", "34"]),
    ("text_and_integer.md", ["Awa", "34"]),
    ("yes_or_no_question.xlsx", ["yes"]),
    ("specify_other.xlsx", ["3", "Both"]),
    ("group.md", ["Diallo", "+221771234567", "61"]),
])
def test_each_sample_imports_and_runs_in_each_of_its_languages(runner, tmp_path, sample, answers):
    result, out = import_form(runner, SAMPLES / sample, tmp_path)
    assert result.exit_code == 0, result.output
    flow = load_flow(out)
    for language in flow.languages:
        _asked, state, finished = run(flow, language, answers + ["x"] * 3)
        assert finished, (language, state)
        assert set(state.answers) >= {q.id for q in flow.questions if q.when is None and not q.optional}


def test_selected_on_a_single_choice_is_an_equality(runner, tmp_path):
    _, out = import_form(runner, SAMPLES / "specify_other.xlsx", tmp_path)
    flow = load_flow(out)
    assert flow.question("sex_other").when.source == "sex == 'other'"
    asked, _, _ = run(flow, "en", ["3", "Both", "x"])
    assert asked == ["sex", "sex_other"]
    asked, _, _ = run(flow, "en", ["1", "x"])
    assert asked == ["sex"]


def test_the_shipped_flow_survives_export_then_import(runner, tmp_path):
    form = tmp_path / "form.xlsx"
    assert runner.invoke(args=["flows", "export-xlsform", str(SHIPPED), "-o", str(form)]).exit_code == 0
    result, out = import_form(runner, form, tmp_path)
    assert result.exit_code == 0, result.output
    original, back = load_flow(SHIPPED), load_flow(out)
    assert back.id == original.id and back.languages == original.languages and back.intro == original.intro
    assert [q.id for q in back.questions] == [q.id for q in original.questions]
    for mine, theirs in zip(original.questions, back.questions):
        assert (theirs.type, theirs.prompt, theirs.optional, theirs.min, theirs.max, theirs.integer) == \
               (mine.type, mine.prompt, mine.optional, mine.min, mine.max, mine.integer), mine.id
        assert [(c.code, dict(c.label)) for c in theirs.choices] == [(c.code, dict(c.label)) for c in mine.choices]
        for condition in ("when", "end_if"):
            assert _same_truth(getattr(mine, condition), getattr(theirs, condition), original), (mine.id, condition)


def _same_truth(first, second, flow) -> bool:
    """Two conditions agree on every combination of a few answers to the questions they read."""
    if first is None or second is None:
        return first is None and second is None
    names = sorted(first.names | second.names)
    values = {name: _values(flow.question(name)) for name in names}
    for combination in itertools.product(*values.values()):
        answers = {name: value for name, value in zip(names, combination) if value is not None}
        if first.test(answers) != second.test(answers):
            return False
    return True


def _values(question):
    if question.type == "multi_choice":
        return [None, [], [question.choices[0].code], [c.code for c in question.choices]]
    if question.type == "number":
        return [None, question.min or 0, 61, question.max or 1000]
    if question.type == "yes_no":
        return [None, "yes", "no"]
    return [None, *[c.code for c in question.choices]] or [None, "x"]


def test_what_sms_cannot_ask_is_refused_naming_its_row_or_left_out(runner, tmp_path):
    form = tmp_path / "field.md"
    form.write_text(
        "| survey |\n"
        "| | type | name | label::English (en) | label::Français (fr) |\n"
        "| | text | name | Your name? | Votre nom ? |\n"
        "| | geopoint | where | Where are you? | Où êtes-vous ? |\n"
        "| | start | started | | |\n"
        "| | integer | age | Your age? | Votre âge ? |\n", encoding="utf-8")
    refused, out = import_form(runner, form, tmp_path)
    assert refused.exit_code == 1 and not out.exists()
    assert "survey row 3 ('where'): type 'geopoint' cannot be asked by SMS, USSD or a bot" in refused.output
    skipped, out = import_form(runner, form, tmp_path, "--skip-unsupported")
    assert skipped.exit_code == 0, skipped.output
    assert "warning: survey row 3 ('where')" in skipped.output and "'start' is device metadata" in skipped.output
    flow = load_flow(out)
    assert [q.id for q in flow.questions] == ["name", "age"] and flow.languages == ("en", "fr")


def test_a_constraint_that_is_not_a_bound_is_named(runner, tmp_path):
    form = tmp_path / "regex.md"
    form.write_text(
        "| survey |\n"
        "| | type | name | label | constraint |\n"
        "| | text | code | Your code? | regex(., '^[0-9]+$') |\n", encoding="utf-8")
    result, _ = import_form(runner, form, tmp_path)
    assert result.exit_code == 1
    assert "survey row 2 ('code'): the constraint" in result.output and "is not a bound of the number" in result.output


def test_something_that_is_not_a_form_is_a_clear_error(runner, tmp_path):
    junk = tmp_path / "junk.xlsx"
    shutil.copy(SHIPPED, junk)
    result, _ = import_form(runner, junk, tmp_path)
    assert result.exit_code == 1 and "not a readable XLSForm" in result.output
