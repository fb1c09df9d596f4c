"""A synthetic city with known exclusion rates, surveyed with a known bias: is the raked profile honest?

Four districts (one urban) by two genders, each cell with its true population and true share at
risk. Urban residents and men each answer sqrt(3) times more often, so urban men answer 3 times
more often than rural women. Each replicate draws a sample, counts it into cells, and runs the
real profile with the census margins (district, gender) as targets. Everything is drawn at once
with numpy; `bench/simulation.py` runs the large version.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flows.loader import check_flow_text
from profiles.cells import Cells
from profiles.report import build_profile

DISTRICTS = ["centre", "nord", "sud", "est"]
GENDERS = ["female", "male"]
POPULATION = np.array([[30_000, 28_000], [12_000, 11_000], [10_000, 9_500], [8_000, 7_500]])  # district x gender
TRUE_RATE = np.array([[0.22, 0.15], [0.55, 0.45], [0.48, 0.40], [0.70, 0.62]])
URBAN_FACTOR = np.array([np.sqrt(3), 1.0, 1.0, 1.0])[:, None]
MALE_FACTOR = np.array([1.0, np.sqrt(3)])[None, :]

FLOW_YAML = """
id: city
title: {en: City}
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
  - {id: far, type: yes_no, prompt: {en: "Far?"}}
profile:
  cutoff: 1
  groups: [district, gender]
  dimensions: [{id: access, weight: 1, indicators: [{id: excluded, deprived_if: "far == 'yes'"}]}]
"""
FLOW, _ = check_flow_text(FLOW_YAML)
TARGETS = {
    "district": {d: float(POPULATION[i].sum()) for i, d in enumerate(DISTRICTS)},
    "gender": {g: float(POPULATION[:, j].sum()) for j, g in enumerate(GENDERS)},
}
TRUE_H = float((POPULATION * TRUE_RATE).sum() / POPULATION.sum())


@dataclass(frozen=True)
class Replicates:
    raw_H: np.ndarray
    raked_H: np.ndarray
    raked_ci: np.ndarray  # (R, 2)
    raw_ci: np.ndarray

    def coverage(self, ci: np.ndarray) -> float:
        return float(np.mean((ci[:, 0] <= TRUE_H) & (TRUE_H <= ci[:, 1])))


def draw(replicates: int, sample_size: int, seed: int) -> Replicates:
    """Survey the city `replicates` times and profile each sample, raw and raked."""
    rng = np.random.default_rng(seed)
    propensity = POPULATION * URBAN_FACTOR * MALE_FACTOR
    respondents = rng.multinomial(sample_size, (propensity / propensity.sum()).ravel(), size=replicates)  # (R, 8)
    excluded = rng.binomial(respondents, np.broadcast_to(TRUE_RATE.ravel(), respondents.shape))
    raw_H, raked_H, raked_ci, raw_ci = [], [], [], []
    for counts, far in zip(respondents, excluded):
        profile = build_profile(FLOW, _cells(counts, far), min_cell=1, targets=TARGETS, trim_ratio=None)
        overall = profile["overall"]
        raked_H.append(overall["H"])
        raked_ci.append(overall["H_ci"])
        raw_H.append(overall["raw"]["H"])
        raw_ci.append(overall["raw"]["H_ci"])
    return Replicates(np.array(raw_H), np.array(raked_H), np.array(raked_ci), np.array(raw_ci))


def _cells(counts: np.ndarray, far: np.ndarray) -> Cells:
    groups, deprived, sizes = [], [], []
    for index, (n, k) in enumerate(zip(counts, far)):
        values = (DISTRICTS[index // len(GENDERS)], GENDERS[index % len(GENDERS)])
        for is_far, size in ((True, k), (False, n - k)):
            if size:
                groups.append(values)
                deprived.append([is_far])
                sizes.append(size)
    return Cells(tuple(groups), np.array(deprived, dtype=bool), np.array(sizes, dtype=np.int64))
