"""`profiles compute` end to end: the published vectors (Alkire-Foster, Wilson, IPF) come out of the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"

VECTORS = DATA / "vectors"
FLOWS = DATA / "profiles"
AF = json.loads((VECTORS / "alkire_foster_2011.json").read_text())
WILSON = json.loads((VECTORS / "wilson_newcombe_1998.json").read_text())
IPF = json.loads((VECTORS / "ipf_wikipedia.json").read_text())
HEADER = ["response_id", "participant", "channel", "language", "status", "started_at", "completed_at"]
SIX_DECIMALS = 5e-7
FOUR_DECIMALS = 5e-5
TWO_DECIMALS = 0.005


def write_csv(path: Path, questions: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER + questions)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"response_id": f"r{i}", "participant": f"p{i}", "channel": "paper", "language": "en",
                             "status": "completed", **row})
    return path


def af_flow(tmp_path: Path, cutoff: float) -> Path:
    path = tmp_path / "af.yaml"
    path.write_text((FLOWS / "af_example.yaml").read_text().replace("CUTOFF", str(cutoff)))
    return path


def af_responses(tmp_path: Path) -> Path:
    subgroup = {i: ("first" if i in AF["subgroups_at_k_0.5"]["groups"][0] else "second") for i in range(4)}
    rows = [{"sub": subgroup[i], **{f"y{j + 1}": y for j, y in enumerate(person)}} for i, person in enumerate(AF["y"])]
    return write_csv(tmp_path / "af.csv", ["sub", "y1", "y2", "y3", "y4"], rows)


def compute(runner, *args: str) -> dict:
    result = runner.invoke(args=["profiles", "compute", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("case", AF["by_cutoff"], ids=lambda case: f"k={case['k']}")
def test_alkire_foster_worked_example(runner, tmp_path, case):
    profile = compute(runner, "--flow", str(af_flow(tmp_path, case["k"])), "--responses", str(af_responses(tmp_path)), "--min-cell", "1")
    overall = profile["overall"]
    assert overall["n"] == 4 and overall["n_eff"] == 4
    assert overall["H"] == pytest.approx(case["H"], abs=SIX_DECIMALS)
    assert overall["A"] == pytest.approx(case["A"], abs=SIX_DECIMALS)
    assert overall["M0"] == pytest.approx(case["M0"], abs=SIX_DECIMALS)
    ids = ["i1", "i2", "i3", "i4"]
    assert list(overall["censored_headcounts"]) == ids
    assert [overall["censored_headcounts"][i] for i in ids] == pytest.approx(case["censored_headcounts"], abs=SIX_DECIMALS)
    assert [overall["contributions"][i] for i in ids] == pytest.approx(case["contributions"], abs=SIX_DECIMALS)
    assert [overall["deprived_share"][i] for i in ids] == pytest.approx([0.25, 0.75, 0.25, 0.5])


def test_alkire_foster_robustness_and_subgroup_decomposition(runner, tmp_path):
    profile = compute(runner, "--flow", str(af_flow(tmp_path, 0.5)), "--responses", str(af_responses(tmp_path)), "--min-cell", "1")
    published = {case["k"]: case for case in AF["by_cutoff"]}
    assert [item["cutoff"] for item in profile["robustness"]] == [0.25, 0.5]  # the flow's cutoff is 0.5 itself
    for item in profile["robustness"]:
        assert item["H"] == pytest.approx(published[item["cutoff"]]["H"], abs=SIX_DECIMALS)
        assert item["M0"] == pytest.approx(published[item["cutoff"]]["M0"], abs=SIX_DECIMALS)
    groups = profile["groups"]["sub"]
    assert [g["value"] for g in groups] == ["first", "second"]
    expected = AF["subgroups_at_k_0.5"]
    assert [g["M0"] for g in groups] == pytest.approx(expected["M0"], abs=SIX_DECIMALS)
    assert [g["M0_contribution"] for g in groups] == pytest.approx(expected["contribution_to_M0"], abs=SIX_DECIMALS)
    assert [g["population_share"] for g in groups] == [0.5, 0.5]


@pytest.mark.parametrize("case", WILSON["cases"], ids=lambda case: f"{case['x']}/{case['n']}")
def test_wilson_intervals_of_newcombe(runner, tmp_path, case):
    rows = [{"area": "a", "sex": "f", "far": "yes" if i < case["x"] else "no"} for i in range(case["n"])]
    responses = write_csv(tmp_path / "r.csv", ["area", "sex", "far"], rows)
    profile = compute(runner, "--flow", str(FLOWS / "one_indicator.yaml"), "--responses", str(responses), "--min-cell", "1")
    overall = profile["overall"]
    assert overall["H"] == pytest.approx(case["x"] / case["n"], abs=SIX_DECIMALS)
    assert overall["H_ci"] == pytest.approx(case["wilson"], abs=FOUR_DECIMALS)
    assert overall["deprived_share_ci"]["far_office"] == pytest.approx(case["wilson"], abs=FOUR_DECIMALS)
    # Newcombe's intervals are all wider than 0.09 with n < 300; reliable needs n_eff >= 30 too.
    assert overall["reliable"] is (case["n"] >= 30 and case["wilson"][1] - case["wilson"][0] < 0.30)


def test_raking_reproduces_the_ipf_example(runner, tmp_path):
    areas, sexes = ["a", "b", "c", "d"], ["f", "m", "x", "y"]
    rows = [{"area": areas[i], "sex": sexes[j], "far": "yes" if (i + j) % 2 else "no"}
            for i, line in enumerate(IPF["seed"]) for j, count in enumerate(line) for _ in range(count)]
    responses = write_csv(tmp_path / "r.csv", ["area", "sex", "far"], rows)
    targets = tmp_path / "targets.csv"
    targets.write_text("variable,value,population\n"
                       + "".join(f"area,{a},{t}\n" for a, t in zip(areas, IPF["row_targets"]))
                       + "".join(f"sex,{s},{t}\n" for s, t in zip(sexes, IPF["column_targets"])))
    profile = compute(runner, "--flow", str(FLOWS / "one_indicator.yaml"), "--responses", str(responses),
                      "--targets", str(targets), "--min-cell", "1", "--trim-ratio", "0")
    weighting = profile["representativeness"]["weighting"]
    assert weighting["applied"] and weighting["converged"] and weighting["max_margin_error"] < 1e-9
    fitted = {tuple(entry["value"]): entry["population"] for entry in profile["groups"]["area|sex"]}
    for i, line in enumerate(IPF["fitted"]):
        for j, value in enumerate(line):
            assert fitted[(areas[i], sexes[j])] == pytest.approx(value, abs=TWO_DECIMALS)
    assert profile["overall"]["population"] == pytest.approx(1000)
    # Raw figures stand beside the weighted ones.
    yes = sum(count for i, line in enumerate(IPF["seed"]) for j, count in enumerate(line) if (i + j) % 2)
    assert profile["overall"]["n"] == len(rows) == 800
    assert profile["overall"]["raw"]["H"] == pytest.approx(yes / 800, abs=SIX_DECIMALS)
    weighted_yes = sum(v for i, line in enumerate(IPF["fitted"]) for j, v in enumerate(line) if (i + j) % 2) / 1000
    assert profile["overall"]["H"] == pytest.approx(weighted_yes, abs=5e-5)
    variables = profile["representativeness"]["variables"]
    assert [row["population_share"] for row in variables["area"]] == pytest.approx([0.15, 0.3, 0.4, 0.15])
    assert variables["area"][0]["sample_share"] == pytest.approx(100 / 800, abs=SIX_DECIMALS)
