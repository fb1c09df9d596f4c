"""A synthetic city where people without a phone of their own answer a phone consultation 4 times less often.

Everything else is unbiased: every district and gender answers at the same rate. People without a
phone are more often at risk, so the raw and the district-and-gender-raked H both understate the
city's H, and weighting on district and gender cannot see it. Each replicate draws a phone-only sample
(SMS), counts it into cells and runs the real profile twice: with census targets on district and
gender only, and with a target on `phone` too (households without a phone, as a census or an ICT
survey gives it). `bench/simulation.py` runs it at scale and prints coverage overall and per district.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flows.loader import check_flow_text
from profiles.cells import Cells
from profiles.facts import fact_variables
from profiles.report import build_profile

DISTRICTS = ["centre", "nord", "sud", "est"]
GENDERS = ["female", "male"]
PHONES = ["none", "own"]
POPULATION = np.array([[30_000, 28_000], [12_000, 11_000], [10_000, 9_500], [8_000, 7_500]])  # district x gender
NO_PHONE = np.array([[0.16, 0.10], [0.34, 0.24], [0.30, 0.22], [0.44, 0.32]])  # share without a phone of their own
RATE_WITH_PHONE = np.array([[0.15, 0.10], [0.40, 0.33], [0.35, 0.30], [0.55, 0.48]])
RATE_WITHOUT_PHONE = np.array([[0.55, 0.45], [0.80, 0.72], [0.75, 0.70], [0.90, 0.85]])
ANSWER_FACTOR_WITHOUT_PHONE = 0.25  # they answer 4 times less often; nothing else is biased

FLOW_YAML = """
id: phones
title: {en: Phones}
languages: [en]
end: {en: Thanks}
questions:
  - id: district
    type: choice
    prompt: {en: "District?"}
    choices: [{code: centre, label: {en: Centre}}, {code: nord, label: {en: North}}, {code: sud, label: {en: South}}, {code: est, label: {en: East}}]
  - id: gender
    type: choice
    prompt: {en: "Gender?"}
    choices: [{code: female, label: {en: Woman}}, {code: male, label: {en: Man}}]
  - id: phone
    type: choice
    prompt: {en: "Your phone?"}
    choices: [{code: none, label: {en: None of my own}}, {code: own, label: {en: My own}}]
  - {id: far, type: yes_no, prompt: {en: "Far?"}}
profile:
  cutoff: 1
  groups: [district, gender]
  coverage: {question: phone, unreached: [none], assumed_share: 0.3}
  dimensions: [{id: access, weight: 1, indicators: [{id: excluded, deprived_if: "far == 'yes'"}]}]
"""
FLOW, _ = check_flow_text(FLOW_YAML)
# Population by district x gender x phone (none, own), and its true share at risk.
CELLS = np.stack([POPULATION * NO_PHONE, POPULATION * (1 - NO_PHONE)], axis=-1)
RATES = np.stack([RATE_WITHOUT_PHONE, RATE_WITH_PHONE], axis=-1)
TRUE_H = float((CELLS * RATES).sum() / CELLS.sum())
TRUE_H_BY_DISTRICT = {d: float((CELLS[i] * RATES[i]).sum() / CELLS[i].sum()) for i, d in enumerate(DISTRICTS)}
DISTRICT_GENDER_TARGETS = {
    "district": {d: float(POPULATION[i].sum()) for i, d in enumerate(DISTRICTS)},
    "gender": {g: float(POPULATION[:, j].sum()) for j, g in enumerate(GENDERS)},
}
PHONE_TARGETS = {**DISTRICT_GENDER_TARGETS, "phone": {p: float(CELLS[..., k].sum()) for k, p in enumerate(PHONES)}}


@dataclass(frozen=True)
class Scenario:
    """One way of weighting, over every replicate: H, its interval and its sensitivity range, overall and per district."""

    H: np.ndarray  # (R,)
    ci: np.ndarray  # (R, 2)
    sensitivity: np.ndarray  # (R, 2)
    district_ci: dict[str, np.ndarray]  # district -> (R, 2)
    district_sensitivity: dict[str, np.ndarray]
    warned: np.ndarray  # (R,) the profile carried the `unreached` warning

    @property
    def mean_error(self) -> float:
        return float(np.abs(self.H - TRUE_H).mean())

    def coverage(self) -> float:
        return _covers(self.ci, TRUE_H)

    def district_coverage(self) -> dict[str, float]:
        return {d: _covers(ci, TRUE_H_BY_DISTRICT[d]) for d, ci in self.district_ci.items()}

    def sensitivity_coverage(self) -> float:
        return _covers(self.sensitivity, TRUE_H)

    def district_sensitivity_coverage(self) -> dict[str, float]:
        return {d: _covers(r, TRUE_H_BY_DISTRICT[d]) for d, r in self.district_sensitivity.items()}


def draw(replicates: int, sample_size: int, seed: int) -> dict[str, Scenario]:
    """Survey the city by phone `replicates` times; profile each sample without and with a target on `phone`."""
    rng = np.random.default_rng(seed)
    propensity = CELLS * np.array([ANSWER_FACTOR_WITHOUT_PHONE, 1.0])
    respondents = rng.multinomial(sample_size, (propensity / propensity.sum()).ravel(), size=replicates)
    at_risk = rng.binomial(respondents, np.broadcast_to(RATES.ravel(), respondents.shape))
    results: dict[str, list] = {"district and gender": [], "with a phone target": []}
    for counts, far in zip(respondents, at_risk):
        for name, targets in (("district and gender", DISTRICT_GENDER_TARGETS), ("with a phone target", PHONE_TARGETS)):
            results[name].append(build_profile(FLOW, _cells(counts, far, targets), min_cell=10, targets=targets, trim_ratio=None))
    return {name: _scenario(profiles) for name, profiles in results.items()}


def _scenario(profiles: list[dict]) -> Scenario:
    def ranges(entry: dict) -> list[float]:
        return [entry["sensitivity"]["low"], entry["sensitivity"]["high"]]

    districts = [{e["value"]: e for e in p["groups"]["district"]} for p in profiles]
    return Scenario(
        H=np.array([p["overall"]["H"] for p in profiles]),
        ci=np.array([p["overall"]["H_ci"] for p in profiles]),
        sensitivity=np.array([ranges(p["overall"]) for p in profiles]),
        district_ci={d: np.array([by[d]["H_ci"] for by in districts]) for d in DISTRICTS},
        district_sensitivity={d: np.array([ranges(by[d]) for by in districts]) for d in DISTRICTS},
        warned=np.array([any(w["code"] == "unreached" for w in p["representativeness"]["warnings"]) for p in profiles]),
    )


def _cells(counts: np.ndarray, far: np.ndarray, targets: dict) -> Cells:
    variables = fact_variables(FLOW, targets)  # district, gender, phone, channel
    groups, deprived, sizes = [], [], []
    for index, (n, k) in enumerate(zip(counts, far)):
        d, rest = divmod(index, len(GENDERS) * len(PHONES))
        g, p = divmod(rest, len(PHONES))
        values = {"district": DISTRICTS[d], "gender": GENDERS[g], "phone": PHONES[p], "channel": "sms"}
        for is_far, size in ((True, k), (False, n - k)):
            if size:
                groups.append(tuple(values[v] for v in variables))
                deprived.append([is_far])
                sizes.append(size)
    return Cells(tuple(groups), np.array(deprived, dtype=bool), np.array(sizes, dtype=np.int64), variables)


def _covers(ranges: np.ndarray, truth: float) -> float:
    return float(np.mean((ranges[:, 0] <= truth) & (truth <= ranges[:, 1])))
