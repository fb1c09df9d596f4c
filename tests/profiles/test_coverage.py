"""Who a phone consultation could not reach: shares by channel, the `unreached` warning, and how wrong H could be."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from flows.loader import check_flow_text
from profiles.cells import cells_from_counts
from profiles.coverage import DEFAULT_ASSUMED_SHARE
from profiles.facts import fact_variables, facts_key
from profiles.report import build_profile
from simulated_phones import FLOW as CITY, TRUE_H, TRUE_H_BY_DISTRICT, draw

FLOW_YAML = """
id: phones
title: {fr: Téléphones, en: Phones}
languages: [fr, en]
end: {fr: Merci, en: Thanks}
questions:
  - id: district
    type: choice
    prompt: {fr: "Quartier ?", en: "District?"}
    choices: [{code: nord, label: {fr: Nord, en: North}}, {code: sud, label: {fr: Sud, en: South}}]
  - id: phone
    type: choice
    short: {fr: Téléphone, en: Phone}
    prompt: {fr: "Votre téléphone ?", en: "Your phone?"}
    choices: [{code: none, label: {fr: Aucun, en: None}}, {code: own, label: {fr: Le mien, en: My own}}]
  - {id: far, type: yes_no, prompt: {fr: "Loin ?", en: "Far?"}}
profile:
  cutoff: 1
  groups: [district]
  coverage: {question: phone, unreached: [none]}
  dimensions: [{id: access, weight: 1, indicators: [{id: excluded, deprived_if: "far == 'yes'"}]}]
"""
FLOW, PROBLEMS = check_flow_text(FLOW_YAML)
VARIABLES = ("district", "phone", "channel")


def cells(rows, flow=FLOW, variables=VARIABLES):
    """rows: (district, phone, channel, at risk?, respondents)."""
    return cells_from_counts((((d, p, c), int(far), n) for d, p, c, far, n in rows), 1, variables)


# 200 by SMS: 20 without a phone of their own; those are far more often at risk.
PHONE_ONLY = [
    ("nord", "none", "sms", True, 8), ("nord", "none", "sms", False, 2),
    ("nord", "own", "sms", True, 30), ("nord", "own", "sms", False, 60),
    ("sud", "none", "sms", True, 7), ("sud", "none", "sms", False, 3),
    ("sud", "own", "sms", True, 20), ("sud", "own", "sms", False, 70),
]


def test_the_flow_declares_what_the_facts_then_record():
    assert PROBLEMS == [] or all(p.level == "warning" for p in PROBLEMS)
    assert FLOW.profile.coverage.question == "phone" and FLOW.profile.coverage.unreached == ("none",)
    # The coverage question and the channel are counted with the groups, whether or not they are groups.
    assert fact_variables(FLOW) == VARIABLES
    # A census target on another choice question adds it too (sorted: the facts' key does not depend on a file's order).
    assert fact_variables(FLOW, ["far"]) == (*VARIABLES, "far")


def test_a_flow_without_coverage_behaves_as_before():
    plain = dataclasses.replace(FLOW, profile=dataclasses.replace(FLOW.profile, coverage=None))
    assert fact_variables(plain) == ("district",)
    assert facts_key(plain) != facts_key(FLOW)
    profile = build_profile(plain, cells_from_counts(((( d,), int(far), n) for d, _p, _c, far, n in PHONE_ONLY), 1), min_cell=10)
    assert "coverage" not in profile["representativeness"]
    assert profile["representativeness"]["warnings"] == []
    assert "sensitivity" not in profile["overall"]
    assert all("sensitivity" not in entry for entry in profile["groups"]["district"])
    # The same figures as with the declaration: coverage adds words and a range, it changes no figure.
    declared = build_profile(FLOW, cells(PHONE_ONLY), min_cell=10)
    assert declared["overall"]["H"] == profile["overall"]["H"] and declared["overall"]["H_ci"] == profile["overall"]["H_ci"]


def test_a_phone_only_sample_without_a_target_carries_the_unreached_warning_in_every_language():
    profile = build_profile(FLOW, cells(PHONE_ONLY), min_cell=10)
    [warning] = profile["representativeness"]["warnings"]
    assert warning["code"] == "unreached" and warning["variable"] == "phone"
    assert "sous-estiment probablement l'exclusion" in warning["text"]["fr"] and "« Téléphone »" in warning["text"]["fr"]
    assert "probably understate exclusion" in warning["text"]["en"] and "enumerators" in warning["text"]["en"]
    coverage = profile["representativeness"]["coverage"]
    assert coverage["sample_share"] == 0.1 and coverage["population_share"] is None
    assert coverage["by_channel"] == [{"channel": "sms", "label": {"fr": "SMS", "en": "SMS"}, "offline": False,
                                       "respondents": 200, "share": 0.1, "suppressed": False}]


def test_answers_on_paper_or_through_enumerators_lift_the_warning_and_show_by_channel():
    paper = [("nord", "none", "paper", True, 12), ("sud", "own", "paper", False, 11)]
    profile = build_profile(FLOW, cells(PHONE_ONLY + paper), min_cell=10)
    assert profile["representativeness"]["warnings"] == []
    by_channel = {row["channel"]: row for row in profile["representativeness"]["coverage"]["by_channel"]}
    assert list(by_channel) == ["sms", "paper"]  # the phone channels first, then those collected by hand
    assert by_channel["paper"]["offline"] and by_channel["paper"]["share"] == round(12 / 23, 6)


def test_a_target_on_the_coverage_question_weights_on_it_and_closes_the_gap():
    targets = {"district": {"nord": 5000, "sud": 5000}, "phone": {"none": 3000, "own": 7000}}
    profile = build_profile(FLOW, cells(PHONE_ONLY), min_cell=10, targets=targets, trim_ratio=None)
    representativeness = profile["representativeness"]
    assert representativeness["weighting"]["variables"] == ["district", "phone"]
    coverage = representativeness["coverage"]
    assert coverage["population_share"] == 0.3 and coverage["weighted_share"] == pytest.approx(0.3, abs=1e-6)
    assert coverage["sample_share"] == 0.1
    assert representativeness["warnings"] == []
    sensitivity = coverage["sensitivity"]
    assert sensitivity["source"] == "target" and sensitivity["missing_share"] == 0
    # Nothing left to assume: the range is H's interval.
    assert [profile["overall"]["sensitivity"]["low"], profile["overall"]["sensitivity"]["high"]] == profile["overall"]["H_ci"]
    # Weighting up those without a phone (4 in 5 at risk) raises H above the raw share.
    assert profile["overall"]["H"] > profile["overall"]["raw"]["H"]


def test_the_sensitivity_range_follows_its_one_sentence():
    profile = build_profile(FLOW, cells(PHONE_ONLY), min_cell=10)
    overall, sensitivity = profile["overall"], profile["representativeness"]["coverage"]["sensitivity"]
    # No target and no assumed_share: the documented default. 10% of respondents against 25% of the population.
    assert sensitivity["source"] == "assumption" and sensitivity["population_share"] == DEFAULT_ASSUMED_SHARE
    g = (0.25 - 0.1) / (1 - 0.1)
    assert sensitivity["missing_share"] == pytest.approx(g, abs=1e-6)
    # The groups observed: North (38/100 at risk), South (27/100), and those without a phone (15/20).
    assert (sensitivity["least_deprived"]["value"], sensitivity["least_deprived"]["H"]) == ("sud", 0.27)
    assert (sensitivity["most_deprived"]["variable"], sensitivity["most_deprived"]["value"]) == ("phone", "none")
    assert sensitivity["most_deprived"]["H"] == 0.75
    low, high = overall["H_ci"]
    # The range never narrows the interval: here the least deprived group sits inside it.
    assert (1 - g) * low + g * 0.27 > low and overall["sensitivity"]["low"] == low
    assert overall["sensitivity"]["high"] == pytest.approx((1 - g) * high + g * 0.75, abs=1e-6)
    assert "H serait entre" in sensitivity["text"]["fr"] and "17 %" in sensitivity["text"]["fr"]
    assert "(17% of the population, assuming 25% have none)" in sensitivity["text"]["en"]
    # Every published group has its own range around its own interval.
    for entry in profile["groups"]["district"]:
        assert entry["sensitivity"]["low"] <= entry["H_ci"][0] and entry["H_ci"][1] <= entry["sensitivity"]["high"]


def test_a_flow_may_state_its_own_assumption():
    flow, _ = check_flow_text(FLOW_YAML.replace("unreached: [none]}", "unreached: [none], assumed_share: 0.4}"))
    sensitivity = build_profile(flow, cells(PHONE_ONLY), min_cell=10)["representativeness"]["coverage"]["sensitivity"]
    assert sensitivity["population_share"] == 0.4 and sensitivity["missing_share"] == pytest.approx(0.3 / 0.9, abs=1e-6)


def test_small_counts_without_a_phone_are_hidden_and_not_given_back_by_the_range():
    few = [("nord", "none", "sms", True, 3), ("nord", "own", "sms", False, 60), ("sud", "own", "ussd", True, 40)]
    profile = build_profile(FLOW, cells(few), min_cell=10)
    coverage = profile["representativeness"]["coverage"]
    assert coverage["sample_share"] is None and coverage["suppressed"]
    assert all(row["share"] is None for row in coverage["by_channel"])
    # g is computed as if nobody without a phone had answered: it cannot reveal the 3.
    assert coverage["sensitivity"]["missing_share"] == DEFAULT_ASSUMED_SHARE


def test_one_small_channel_hides_the_next_smallest_so_the_total_does_not_give_it_away():
    rows = PHONE_ONLY + [("nord", "none", "ussd", True, 12), ("nord", "own", "ussd", False, 30),
                         ("sud", "none", "telegram", True, 4), ("sud", "own", "telegram", False, 40)]
    by_channel = {r["channel"]: r for r in build_profile(FLOW, cells(rows), min_cell=10)["representativeness"]["coverage"]["by_channel"]}
    assert by_channel["telegram"]["suppression"] == "small"
    assert by_channel["ussd"]["suppression"] == "complementary" and by_channel["ussd"]["respondents"] == 42
    assert by_channel["sms"]["share"] == 0.1


def test_phone_only_surveys_are_warned_and_their_range_holds_the_truth_a_phone_target_corrects_them():
    """The issue's simulation: people without a phone answer 4 times less often, nothing else is biased."""
    result = draw(replicates=60, sample_size=1500, seed=2026)
    district_gender, with_phone = result["district and gender"], result["with a phone target"]
    # Weighting on district and gender cannot see them: the interval misses the truth, and every profile says so.
    assert district_gender.coverage() < 0.2
    assert district_gender.warned.all()
    assert district_gender.sensitivity_coverage() >= 0.95
    # With a target on the phone question the interval covers the truth, overall and in every district.
    assert not with_phone.warned.any()
    assert with_phone.mean_error < 0.02
    assert with_phone.coverage() >= 0.9
    assert min(with_phone.district_coverage().values()) >= 0.9, with_phone.district_coverage()
    assert TRUE_H == pytest.approx(float(np.mean(list(TRUE_H_BY_DISTRICT.values()))), abs=0.1)
    assert CITY.profile.coverage.assumed_share == 0.3


def test_the_terminal_table_warns_first_and_explains_the_range(tmp_path):
    from profiles.table import render_table

    profile = build_profile(FLOW, cells(PHONE_ONLY), min_cell=10)
    for lang, caution, coverage in (("fr", "ATTENTION : Les personnes sans téléphone", "Sans téléphone à elles (Téléphone)"),
                                    ("en", "CAUTION: People without a phone of their own", "Without a phone of their own (Phone)")):
        table = render_table(profile, lang, FLOW)
        lines = table.splitlines()
        assert lines[1].startswith(caution)  # right under the title, before any figure
        assert coverage in lines and any(line.split() == ["SMS", "10.0%"] for line in lines)
        assert ("H serait entre" if lang == "fr" else "H would lie between") in table.replace("\n", " ")
        assert max(len(line) for line in lines) <= 140


def test_a_margin_that_is_not_a_group_hides_its_small_shares_as_a_group_would():
    few = [("nord", "none", "sms", True, 4), ("nord", "own", "sms", False, 60), ("sud", "own", "sms", True, 40)]
    targets = {"phone": {"none": 2000, "own": 8000}}
    rows = {r["value"]: r for r in build_profile(FLOW, cells(few), min_cell=10, targets=targets)["representativeness"]["variables"]["phone"]}
    # 4 without a phone: hidden, and "own" with it, or 104 - own would give the 4 back.
    assert rows["none"]["sample_share"] is None and rows["none"]["suppression"] == "small"
    assert rows["own"]["sample_share"] is None and rows["own"]["suppression"] == "complementary"
    assert rows["none"]["population_share"] == 0.2
