"""Census targets files: what officials type in, and the errors that tell them what to fix."""

from __future__ import annotations

import pytest

from flows.loader import load_flow
from palabre.config import ROOT
from profiles.targets import TargetsInvalid, parse_targets

FLOW = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")


def test_codes_labels_bands_and_digit_grouping():
    text = ("\ufeffvariable;value;population\n# from the 2024 census\n"
            "gender;female;52 000\ngender;Un homme;48000\n"
            "age;<18;20000\nage;18-29;25000\nage;30 - 44;25000\nage;45-59;18000\nage;60+;12000\n")
    assert parse_targets(text, FLOW) == {
        "gender": {"female": 52000.0, "male": 48000.0},
        "age": {"<18": 20000.0, "18-29": 25000.0, "30-44": 25000.0, "45-59": 18000.0, "60+": 12000.0},
    }


def test_thousands_separator_in_quotes():
    assert parse_targets('variable,value,population\ndistrict,nord,"24,000"\n', FLOW) == {"district": {"nord": 24000.0}}


def test_every_problem_is_named_with_its_line():
    text = ("variable,value,population\n"
            "income,high,100\n"
            "gender,femme,100\n"
            "gender,female,lots\n"
            "district,nord,-5\n"
            "district,sud,50\n"
            "district,sud,50\n")
    with pytest.raises(TargetsInvalid) as raised:
        parse_targets(text, FLOW)
    assert raised.value.problems == [
        "line 2: 'income' is not a question or grouping variable of this consultation (groups: district, gender, age, disability, channel, language)",
        "line 3: gender: unknown value 'femme' (one of female, male, other)",
        "line 4: gender=female: population must be a positive number, got 'lots'",
        "line 5: district=nord: population must be a positive number, got '-5'",
        "line 7: district=sud is given twice (first on line 6)",
    ]


def test_any_choice_question_may_be_a_margin_not_only_a_group():
    # Households without a phone of their own, from a census or an ICT survey: `phone` is not a profile group.
    text = "variable,value,population\nphone,Aucun,23000\nphone,basic,40000\nphone,smartphone,12000\nphone,smartphone_internet,25000\n"
    assert parse_targets(text, FLOW) == {"phone": {"none": 23000.0, "basic": 40000.0, "smartphone": 12000.0, "smartphone_internet": 25000.0}}


@pytest.mark.parametrize("variable, kind", [("travel_minutes", "number"), ("helper", "multi_choice")])
def test_a_target_on_a_question_that_is_not_a_choice_question_is_refused(variable, kind):
    with pytest.raises(TargetsInvalid) as raised:
        parse_targets(f"variable,value,population\n{variable},5,100\n", FLOW)
    assert raised.value.problems == [
        f"line 2: '{variable}' is a {kind} question: census targets can only name a choice or yes/no question "
        "(each respondent in exactly one value), or a grouping variable (district, gender, age, disability, channel, language)"
    ]


def test_totals_of_different_variables_must_agree():
    text = "variable,value,population\ngender,female,500\ngender,male,500\nage,60+,800\n"
    with pytest.raises(TargetsInvalid, match=r"age: targets total 800 but gender totals 1,000; they differ by more than 1%"):
        parse_targets(text, FLOW)


@pytest.mark.parametrize("text, message", [
    ("", "no targets: expected a header variable,value,population and one line per value"),
    ("variable,value,population\n", "no targets: the file has a header but no lines"),
    ("var,val,pop\ngender,female,1\n", "line 1: the header must be variable,value,population (missing variable, value, population)"),
])
def test_empty_or_headless_files(text, message):
    with pytest.raises(TargetsInvalid) as raised:
        parse_targets(text, FLOW)
    assert raised.value.problems == [message]
