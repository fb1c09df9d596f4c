"""Every prompt must fit one SMS segment where it can: the shipped flow does, and others are warned."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.sms_cost import prompt_costs, prompt_warnings
from flows.loader import check_flow_text, load_flow
from flows.messages import BUILTIN
from palabre.sms_segments import non_gsm_characters

SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "library" / "access_barriers.yaml"

# 200 GSM-7 characters: two parts of 153 septets.
LONG_EN = ("Please tell us how long it takes you to reach the nearest office of the city. " * 3)[:200]
# 80 characters with a ç: UCS-2, whose single SMS holds 70 units, so two parts of 67.
CEDILLA_FR = ("Avez-vous reçu une réponse de la mairie à votre dernière demande écrite ou orale ?" + " " * 80)[:80].rstrip()


def flow_with(fr: str, en: str):
    text = f"""\
id: budget
title: Budget
languages: [fr, en]
end: Merci
questions:
  - {{id: consent, type: yes_no, prompt: {{fr: "D'accord ?", en: "Agree?"}}}}
  - {{id: story, type: text, prompt: {{fr: "{fr}", en: "{en}"}}}}
"""
    flow, problems = check_flow_text(text)
    assert flow is not None, problems
    return flow


@pytest.fixture(scope="module")
def shipped():
    return load_flow(SHIPPED)


def test_every_shipped_prompt_fits_one_segment_in_every_language(shipped):
    costs = prompt_costs(shipped)
    assert {c.language for c in costs} == {"fr", "en"}
    assert len(costs) == 2 * len(shipped.questions)
    too_long = [(c.question_id, c.language, c.encoding, c.segments, c.forcing) for c in costs if c.segments != 1]
    assert too_long == []


def test_shipped_prompts_stay_gsm7(shipped):
    assert [(c.question_id, c.language, c.forcing) for c in prompt_costs(shipped) if c.encoding != "GSM-7"] == []


def test_shipped_flow_has_no_prompt_warnings(shipped):
    assert prompt_warnings(shipped) == []


def test_long_prompt_is_warned_with_its_path():
    assert len(LONG_EN) == 200
    warnings = prompt_warnings(flow_with("Racontez-nous.", LONG_EN))
    assert [(w.level, str(w)) for w in warnings] == [
        ("warning", "questions[1].prompt.en: takes 2 SMS segments (GSM-7, 200 characters with its choices)"),
    ]


def test_cedilla_prompt_is_warned_with_the_forcing_character():
    assert len(CEDILLA_FR) > 70 and "ç" in CEDILLA_FR
    warnings = prompt_warnings(flow_with(CEDILLA_FR, "Did the city answer your last request?"))
    assert [(w.level, str(w)) for w in warnings] == [
        ("warning", f"questions[1].prompt.fr: takes 2 SMS segments (UCS-2, {len(CEDILLA_FR)} characters with its choices); ç force UCS-2"),
    ]


def test_short_cedilla_prompt_still_fits_one_ucs2_segment():
    flow = flow_with("Reçu ?", "Received?")
    cost = next(c for c in prompt_costs(flow) if c.question_id == "story" and c.language == "fr")
    assert (cost.encoding, cost.segments, cost.forcing) == ("UCS-2", 1, ("ç",))
    assert prompt_warnings(flow) == []


def test_choices_count_towards_the_segment():
    flow = load_flow(SHIPPED)
    cost = next(c for c in prompt_costs(flow) if c.question_id == "district" and c.language == "en")
    assert cost.text == "Which district do you live in?\n1 Centre\n2 North\n3 South\n4 East\n5 West"


def test_the_engines_own_words_are_proper_french_and_still_gsm_7():
    outside = {(key, lang): non_gsm_characters(text) for key, texts in BUILTIN.items() for lang, text in texts.items()}
    assert {where: chars for where, chars in outside.items() if chars} == {}
    assert "numéro" in BUILTIN["invalid_choice"]["fr"] and "Répondez" in BUILTIN["number_range"]["fr"]
