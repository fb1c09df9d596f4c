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
EXAMPLE = "docs/example_flow.yaml"


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
    # file:line: as compilers print it, so an editor jumps to the line.
    assert f"{BROKEN}:16: error: questions[3].choices[1].code: duplicate code '2'" in lines
    assert f"{BROKEN}: invalid (1 error)" in lines
    assert "ok" not in result.stdout


def test_several_paths_report_each_and_fail_if_any_is_bad(validate):
    result = validate(SHIPPED, BROKEN)
    assert result.returncode == 1
    assert f"{SHIPPED}: ok (14 questions, languages fr, en)" in result.stdout.splitlines()
    assert f"{BROKEN}:16: error: questions[3].choices[1].code: duplicate code '2'" in result.stderr.splitlines()


def test_prompt_warnings_are_reported_but_do_not_fail(validate, tmp_path):
    path = tmp_path / "long.yaml"
    path.write_text(
        "id: long\ntitle: Long\nlanguages: [en]\nend: Thanks\nintro: STOP to quit\nquestions:\n"
        "  - {id: consent, type: yes_no, prompt: \"Agreed?\", end_if: \"consent == 'no'\"}\n"
        f"  - {{id: story, type: text, prompt: \"{'word ' * 40}\"}}\n",
        encoding="utf-8",
    )
    result = validate(str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}:8: warning: questions[1].prompt.en: takes 2 SMS segments (GSM-7, 200 characters with its choices)" in result.stdout.splitlines()
    assert f"{path}: ok (2 questions, languages en)" in result.stdout.splitlines()


def test_flows_cost_prints_encoding_segments_and_totals(tmp_path):
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db"}
    result = subprocess.run([sys.executable, "app.py", "flows", "cost", "flows/library/access_barriers.yaml"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "district           fr    GSM-7" in result.stdout
    # The money, as the broadcast preview shows it: SMS_PRICE_PER_SEGMENT defaults to 0.05 USD.
    assert ("total per respondent (fr): 14 segments for 14 questions, 0.70 USD at 0.05 USD a segment (SMS_PRICE_PER_SEGMENT); "
            "700.00 USD for 1,000 respondents; plus intro, end and any re-prompts") in result.stdout.splitlines()


def test_flows_cost_uses_the_configured_price(tmp_path):
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
           "SMS_PRICE_PER_SEGMENT": "25", "SMS_PRICE_CURRENCY": "XOF"}
    result = subprocess.run([sys.executable, "app.py", "flows", "cost", "flows/library/access_barriers.yaml"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "total per respondent (en): 14 segments for 14 questions, 350.00 XOF at 25 XOF a segment" in result.stdout


def test_a_flow_without_consent_or_stop_notice_is_warned_with_lines(validate, tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text(
        "id: bare\ntitle: Bare\nlanguages: [fr, en]\nend: Merci\n"
        "intro:\n  fr: La mairie vous consulte.\n  en: The city asks you.\n"
        "questions:\n  - {id: happy, type: yes_no, prompt: \"Content ?\"}\n",
        encoding="utf-8",
    )
    result = validate(str(path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (f"{path}:8: warning: questions: no consent question: add a yes_no question with "
            "end_if: \"consent == 'no'\" so that a citizen can decline before answering") in lines
    assert f"{path}:6: warning: intro.fr: does not say that STOP stops the messages" in lines
    assert f"{path}:7: warning: intro.en: does not say that STOP stops the messages" in lines
    assert f"{path}: ok (1 question, languages fr, en)" in lines


def test_a_flow_without_intro_is_warned(validate, tmp_path):
    path = tmp_path / "nointro.yaml"
    path.write_text("id: bare\ntitle: Bare\nlanguages: [fr]\nend: Merci\nquestions:\n"
                    "  - {id: consent, type: yes_no, prompt: \"D'accord ?\", end_if: \"consent == 'no'\"}\n", encoding="utf-8")
    result = validate(str(path))
    assert f"{path}: warning: intro: no intro: say who asks, why, and that STOP stops the messages" in result.stdout.splitlines()


def test_a_number_compared_with_a_text_is_refused_at_its_line(validate):
    broken = "tests/data/flows/broken/when_number_compared_with_text.yaml"
    result = validate(broken)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{broken}:9: error: questions[1].when: 'prix' is a number question: compare it with a number, not 'cent'",
        f"{broken}: invalid (1 error)",
    ]


def test_several_errors_are_counted_in_the_plural(validate):
    broken = "tests/data/flows/broken/profile_missing_keys.yaml"
    result = validate(broken)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"{broken}: invalid (2 errors)"


def test_the_documented_example_flow_is_valid_without_a_warning(validate):
    result = validate(EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{EXAMPLE}: ok (6 questions, languages fr, en)"]
    assert result.stderr == ""
