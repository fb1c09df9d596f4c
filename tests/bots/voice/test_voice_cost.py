"""What a call costs the authority: its length estimated from what it says, billed by the started minute."""

from __future__ import annotations

import math
import os
import subprocess
import sys

from bots.voice_cost import ANSWER_SECONDS, call_estimates
from bots.voice_record import RECORD_MAX_SECONDS
from flows.loader import check_flow_text, load_flow
from flows.voice_prompts import words
from palabre.call_minutes import SPOKEN_WORDS_PER_MINUTE
from palabre.config import ROOT

FLOW = """
id: tiny
title: Tiny
languages: [en]
end: Bye now.
questions:
  - {id: age, type: number, prompt: "How old are you?"}
  - {id: why, type: text, prompt: "Why?"%s}
"""


def tiny(voice_record: bool):
    flow, problems = check_flow_text(FLOW % (", voice_record: true" if voice_record else ""))
    assert flow is not None, problems
    return flow


def test_a_worked_example_counts_every_word_said_and_the_time_to_answer():
    [call] = call_estimates(tiny(voice_record=False))
    # "How old are you?" (4) + "Type the number, then the hash key." (7) + "Bye now." (2); the text question is passed over.
    assert (call.language, call.questions, call.words) == ("en", 1, 13)
    assert call.seconds == math.ceil(13 * 60 / SPOKEN_WORDS_PER_MINUTE) + ANSWER_SECONDS == 10
    assert call.billed_minutes == 1 and call.cost(0.25) == 0.25  # Twilio bills a started minute whole


def test_a_recorded_answer_counts_its_consent_and_its_longest_recording():
    [call] = call_estimates(tiny(voice_record=True))
    said = 13 + 1 + sum(len(words(name, "en").split()) for name in ("record_consent", "record_now", "recorded"))
    assert (call.questions, call.words) == (2, said)
    assert call.seconds == math.ceil(said * 60 / SPOKEN_WORDS_PER_MINUTE) + 3 * ANSWER_SECONDS + RECORD_MAX_SECONDS
    assert call.billed_minutes == 2


def test_the_shipped_consultation_takes_four_billed_minutes_in_each_language():
    estimates = call_estimates(load_flow(ROOT / "flows" / "library" / "access_barriers.yaml"))
    assert [(e.language, e.questions, e.billed_minutes) for e in estimates] == [("fr", 13, 4), ("en", 13, 4)]
    assert all(180 < e.seconds <= 240 for e in estimates)  # "about 4 minutes", as the README says


def test_spoken_only_languages_are_priced_like_the_script_they_read():
    estimates = {e.language: e for e in call_estimates(load_flow(ROOT / "tests" / "data" / "voice" / "voice_languages.yaml"))}
    assert set(estimates) == {"fr", "en", "wo"} and estimates["wo"].seconds == estimates["fr"].seconds


def test_flows_cost_prices_a_completed_call_per_language(tmp_path):
    env = {**os.environ, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
           "VOICE_PRICE_PER_MINUTE": "100", "SMS_PRICE_CURRENCY": "XOF"}
    result = subprocess.run([sys.executable, "app.py", "flows", "cost", "flows/library/access_barriers.yaml"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("a completed call")]
    assert len(lines) == 2 and lines[0].startswith("a completed call (fr): 13 questions asked, about 3 min ")
    assert lines[1].endswith("billed 4 minutes: 400.00 XOF at 100 XOF a minute (VOICE_PRICE_PER_MINUTE); "
                             "400,000.00 XOF for 1,000 completed calls")


def test_invite_by_call_says_what_the_calls_may_cost(loaded, runner, tmp_path, fake_twilio):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("phone\n+221771234567\n+221771234568\n+254712345678\n")  # valid Senegal and Kenya numbers
    result = runner.invoke(args=["invite", "access-barriers", "--numbers", str(numbers), "--channel", "voice"])
    assert result.exit_code == 0, result.output
    assert ("Estimated cost: at most 2.40 USD if all 3 calls are answered to the end (4 billed minutes each at 0.2 USD "
            "a minute, VOICE_PRICE_PER_MINUTE); unanswered calls cost nothing") in result.output
    sms = runner.invoke(args=["invite", "access-barriers", "--numbers", str(numbers), "--channel", "sms"])
    assert "Estimated cost" not in sms.output
