"""`python app.py flows validate`: ok for good files, the exact problem lines and a failure for bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = "flows/library/access_barriers.yaml"
BROKEN = "tests/data/flows/broken/choice_code_duplicate.yaml"


@pytest.fixture
def validate(tmp_path):
    """Run `python app.py flows validate PATHS...` from the repository root on a throwaway instance."""
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    env.pop("FLASK_APP", None)

    def run(*paths: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "app.py", "flows", "validate", *paths],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )

    return run


def test_shipped_flow_is_ok(validate):
    result = validate(SHIPPED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{SHIPPED}: ok (14 questions, languages fr, en)"]
    assert "error" not in result.stderr


def test_broken_flow_fails_with_the_exact_line(validate):
    result = validate(BROKEN)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{BROKEN}: error: questions[3].choices[1].code: duplicate code '2'" in lines
    assert f"{BROKEN}: invalid (1 errors)" in lines
    assert "ok" not in result.stdout


def test_several_paths_report_each_and_fail_if_any_is_bad(validate):
    result = validate(SHIPPED, BROKEN)
    assert result.returncode == 1
    assert f"{SHIPPED}: ok (14 questions, languages fr, en)" in result.stdout.splitlines()
    assert f"{BROKEN}: error: questions[3].choices[1].code: duplicate code '2'" in result.stderr.splitlines()


def test_prompt_warnings_are_reported_but_do_not_fail(validate, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(
        "id: long\ntitle: Long\nlanguages: [en]\nend: Thanks\nquestions:\n"
        f"  - {{id: story, type: text, prompt: \"{'word ' * 40}\"}}\n",
        encoding="utf-8",
    )
    result = validate(str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}: warning: questions[0].prompt.en: takes 2 SMS segments (GSM-7, 200 characters with its choices)" in result.stdout.splitlines()
    assert f"{path}: ok (1 questions, languages en)" in result.stdout.splitlines()


def test_flows_cost_prints_encoding_segments_and_totals(tmp_path):
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = subprocess.run([sys.executable, "app.py", "flows", "cost", "flows/library/access_barriers.yaml"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "district           fr    GSM-7" in result.stdout
    assert "total per respondent (fr): 14 segments" in result.stdout
