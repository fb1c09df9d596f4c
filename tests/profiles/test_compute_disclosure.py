"""`profiles compute`: small groups are hidden with their partners, imprecise figures flagged, bad files explained."""

from __future__ import annotations

import json
from pathlib import Path

from test_compute_cli import FLOWS, write_csv

SUPPRESSED_KEYS = {"value", "label", "n", "suppressed", "suppression", "reliable"}
AREAS = {"a": (3, 1), "b": (35, 17), "c": (40, 20), "d": (9, 4)}  # respondents, of whom far from the office


def responses(tmp_path: Path) -> Path:
    rows = [{"area": area, "sex": "f" if i % 2 else "m", "far": "yes" if i < far else "no"}
            for area, (n, far) in AREAS.items() for i in range(n)]
    return write_csv(tmp_path / "r.csv", ["area", "sex", "far"], rows)


def compute(runner, tmp_path, *extra):
    result = runner.invoke(args=["profiles", "compute", "--flow", str(FLOWS / "one_indicator.yaml"),
                                 "--responses", str(responses(tmp_path)), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_small_groups_and_their_next_smallest_publish_nothing(runner, tmp_path):
    profile = json.loads(compute(runner, tmp_path, "--min-cell", "5"))
    areas = {entry["value"]: entry for entry in profile["groups"]["area"]}
    # a (3) is under 5; d (9) is hidden with it, or total - b - c - d would give a away.
    for hidden in ("a", "d"):
        assert set(areas[hidden]) == SUPPRESSED_KEYS
        assert (areas[hidden]["n"], areas[hidden]["suppressed"]) == (None, True)
    # Each says why: a is small, d is big enough and hidden only to protect a (pages must not call d "fewer than 5").
    assert (areas["a"]["suppression"], areas["d"]["suppression"]) == ("small", "complementary")
    assert (areas["b"]["n"], areas["c"]["n"]) == (35, 40)
    assert not areas["b"]["suppressed"] and profile["overall"]["n"] == 87
    # The cross area|sex: no published total (row, column, overall) is left with one hidden cell.
    cross = {tuple(entry["value"]): entry for entry in profile["groups"]["area|sex"]}
    hidden = {key for key, entry in cross.items() if entry["suppressed"]}
    published_rows = {v for v, e in areas.items() if not e["suppressed"]}
    published_cols = {e["value"] for e in profile["groups"]["sex"] if not e["suppressed"]}
    for row in published_rows:
        assert sum((row, col) in hidden for col in "fmxy") != 1
    for col in published_cols:
        assert sum((row, col) in hidden for row in "abcd") != 1
    assert all(set(entry) == SUPPRESSED_KEYS for key, entry in cross.items() if key in hidden)


def test_reliability_needs_30_effective_respondents_and_an_interval_under_30_points(runner, tmp_path):
    profile = json.loads(compute(runner, tmp_path, "--min-cell", "5"))
    areas = {entry["value"]: entry for entry in profile["groups"]["area"]}
    width = lambda entry: entry["H_ci"][1] - entry["H_ci"][0]  # noqa: E731
    assert areas["b"]["n_eff"] >= 30 and width(areas["b"]) >= 0.30 and areas["b"]["reliable"] is False
    assert areas["c"]["n_eff"] >= 30 and width(areas["c"]) < 0.30 and areas["c"]["reliable"] is True
    # Only reliable, published groups make findings, the highest share at risk first, with its interval as in the tables.
    assert profile["findings"]["en"][0] == "Area C: 50% at risk (35–65), mostly distance"
    assert profile["findings"]["fr"][0] == "Zone C : 50 % à risque (35–65), surtout distance"
    assert not any(sentence.startswith(("Area A", "Area B", "Area D")) for sentence in profile["findings"]["en"])


def test_min_cell_defaults_to_the_setting(runner, tmp_path):
    profile = json.loads(compute(runner, tmp_path))
    assert profile["overall"]["min_cell"] == 10
    assert [e["suppressed"] for e in profile["groups"]["area"]] == [True, False, False, True]


def test_the_table_is_readable_in_a_terminal(runner, tmp_path):
    table = compute(runner, tmp_path, "--min-cell", "5", "--format", "table", "--lang", "fr")
    assert "Profil de risque d'exclusion : 87 réponses complètes, seuil k = 1, non pondéré" in table
    assert any(line.startswith("  Zone A") and line.rstrip().endswith("masqué") for line in table.splitlines())
    assert "Constats (fr)\n  - Zone C : 50 % à risque (35–65), surtout distance" in table
    assert max(len(line) for line in table.splitlines() if not line.startswith("*")) <= 140


def test_a_bad_file_is_explained_row_by_row(runner, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", ["area", "sex", "far"], [
        {"area": "a", "sex": "f", "far": "yes"}, {"area": "z", "sex": "f", "far": "maybe"}])
    result = runner.invoke(args=["profiles", "compute", "--flow", str(FLOWS / "one_indicator.yaml"), "--responses", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: row 3, column area: unknown code 'z' (one of a, b, c, d)" in result.output
    assert f"{bad}: row 3, column far: 'maybe' is not yes or no" in result.output


def test_bad_targets_are_explained_line_by_line(runner, tmp_path):
    targets = tmp_path / "t.csv"
    targets.write_text("variable,value,population\narea,e,100\n")
    result = runner.invoke(args=["profiles", "compute", "--flow", str(FLOWS / "one_indicator.yaml"),
                                 "--responses", str(responses(tmp_path)), "--targets", str(targets)])
    assert result.exit_code == 1
    assert f"{targets}: line 2: area: unknown value 'e' (one of a, b, c, d)" in result.output
