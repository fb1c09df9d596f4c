"""The conversation engine: (flow, state, text, now) -> (state, events), on small inline flows and the shipped one."""

from __future__ import annotations

import copy
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from flows import engine
from flows.events import (
    AnswerCleared, AnswerInvalid, AnswerRecorded, Ask, Finished, LanguageChanged, OptedOut, QuestionSkipped, Say,
)
from bots.text import render_messages
from flows.loader import check_flow_data, load_flow
from flows.messages import BUILTIN
from flows.state import ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT, State

LIBRARY = Path(__file__).resolve().parents[2] / "flows" / "library"
T0 = 1_772_443_800.0  # 2026-03-02 09:30 UTC, the frozen clock of tests/conftest.py

DISTRICT = {
    "id": "district", "type": "choice",
    "prompt": {"fr": "Votre quartier ?", "en": "Your district?"},
    "choices": [
        {"code": "centre", "label": {"fr": "Centre", "en": "Centre"}, "keywords": {"fr": ["centre-ville"], "en": ["downtown"]}},
        {"code": "nord", "label": {"fr": "Nord", "en": "North"}},
        {"code": "marche", "label": {"fr": "Marché", "en": "Market"}},
    ],
}
HELPER = {
    "id": "helper", "type": "multi_choice", "prompt": {"fr": "Qui vous aide ?", "en": "Who helps you?"},
    "choices": [
        {"code": "family", "label": {"fr": "Famille", "en": "Family"}},
        {"code": "association", "label": {"fr": "Association", "en": "Association"}},
        {"code": "agent", "label": {"fr": "Agent public", "en": "Public agent"}},
    ],
}
MINUTES = {"id": "minutes", "type": "number", "unit": "minutes", "min": 0, "max": 1440,
           "prompt": {"fr": "Combien de minutes ?", "en": "How many minutes?"}}
AGE = {"id": "age", "type": "number", "min": 10, "max": 120, "prompt": {"fr": "Votre age ?", "en": "Your age?"}}
COMMENT = {"id": "comment", "type": "text", "optional": True, "prompt": {"fr": "Un mot ?", "en": "A word?"}}
CONSENT = {"id": "consent", "type": "yes_no", "prompt": {"fr": "D'accord ?", "en": "Agreed?"}, "end_if": "consent == 'no'"}
LANG = {"id": "lang", "type": "language", "prompt": "Langue / Language?",
        "choices": [{"code": "fr", "label": "Francais"}, {"code": "en", "label": "English", "keywords": {"en": ["eng"]}}]}
# A branch: the follow-up is asked only to those without a phone.
PHONE = {"id": "phone", "type": "choice", "prompt": {"fr": "Un telephone ?", "en": "A phone?"},
         "choices": [{"code": "none", "label": {"fr": "Aucun", "en": "None"}},
                     {"code": "basic", "label": {"fr": "Simple", "en": "Basic"}}]}
WHY = {"id": "why_none", "type": "text", "when": "phone == 'none'", "prompt": {"fr": "Pourquoi ?", "en": "Why?"}}


def make_flow(*questions: dict, **top):
    """A valid fr/en flow with these questions."""
    data = {"id": "test", "title": "Test", "languages": ["fr", "en"], "end": {"fr": "Fin.", "en": "The end."},
            "questions": list(questions), **top}
    flow, problems = check_flow_data(data)
    assert flow is not None, [str(p) for p in problems]
    return flow


def run(flow, *inputs: str, language: str | None = None):
    """Start, then send each input a minute apart; the final state and the events of every step."""
    state, events = engine.start(flow, T0, language)
    steps = [events]
    for i, text in enumerate(inputs, 1):
        state, events = engine.step(flow, state, text, T0 + 60 * i)
        steps.append(events)
    return state, steps


def of_type(events, kind):
    return [e for e in events if isinstance(e, kind)]


def asked(events) -> str:
    """The id of the question the step asks (it asks at most one)."""
    (ask,) = of_type(events, Ask)
    return ask.question_id


@pytest.fixture(scope="module")
def shipped():
    return load_flow(LIBRARY / "access_barriers.yaml")


# --- start -----------------------------------------------------------------------------


def test_start_says_the_intro_then_asks_the_first_question():
    flow = make_flow(DISTRICT, AGE, intro={"fr": "Bonjour.", "en": "Hello."})
    state, events = engine.start(flow, T0)
    assert events[0] == Say("intro", "Bonjour.")
    assert isinstance(events[1], Ask) and len(events) == 2
    assert events[1].question_id == "district" and events[1].text == "Votre quartier ?"
    assert events[1].options == (("centre", "Centre"), ("nord", "Nord"), ("marche", "Marché"))
    assert (events[1].position, events[1].total) == (1, 2)
    assert state == State(language="fr", current="district", last_activity=T0)


def test_start_without_intro_only_asks():
    _, events = engine.start(make_flow(DISTRICT), T0)
    assert [type(e) for e in events] == [Ask]


def test_start_on_the_shipped_flow(shipped):
    state, events = engine.start(shipped, T0)
    assert [type(e) for e in events] == [Say, Ask]
    assert events[0].key == "intro" and events[0].text.startswith("Mairie:")
    assert events[1].question_id == "lang"
    assert state.status == ACTIVE and state.current == "lang" and state.language == "fr"


def test_start_preselects_a_language():
    state, events = engine.start(make_flow(DISTRICT, intro={"fr": "Bonjour.", "en": "Hello."}), T0, language="en")
    assert state.language == "en"
    assert events[0].text == "Hello."
    assert events[1].text == "Your district?" and events[1].options[1] == ("nord", "North")


def test_start_ignores_a_language_the_flow_lacks():
    state, _ = engine.start(make_flow(DISTRICT), T0, language="de")
    assert state.language == "fr"


# --- choices ---------------------------------------------------------------------------


@pytest.mark.parametrize("text, code", [
    ("2", "nord"),            # by number
    (" 3. ", "marche"),       # number with punctuation
    ("nord", "nord"),         # by code
    ("Nord", "nord"),         # French label
    ("north", "nord"),        # English label while speaking French
    ("downtown", "centre"),   # English keyword
    ("CENTRE-VILLE", "centre"),  # French keyword, upper case
    ("Marché", "marche"),     # accented label
    ("MARCHE", "marche"),     # accent and case ignored
    ("Nrod", "nord"),         # small typo (transposition)
    ("Markett", "marche"),    # small typo (extra letter)
])
def test_choice_answers(text, code):
    state, (_, events) = run(make_flow(DISTRICT, AGE), text)
    assert events[0] == AnswerRecorded("district", code, text)
    assert state.answers == {"district": code}
    assert asked(events) == "age"


@pytest.mark.parametrize("text, codes", [
    ("1 3", ["family", "agent"]),
    ("1,3", ["family", "agent"]),
    ("3, 1", ["family", "agent"]),
    ("famille et agent public", ["family", "agent"]),
    ("2", ["association"]),
])
def test_multi_choice_answers(text, codes):
    state, (_, events) = run(make_flow(HELPER, AGE), text)
    assert events[0] == AnswerRecorded("helper", codes, text)
    assert state.answers == {"helper": codes}


@pytest.mark.parametrize("text, minutes", [("45", 45), ("45 min", 45), ("1h30", 90), ("2 heures", 120), ("0", 0)])
def test_minutes_answers(text, minutes):
    state, (_, events) = run(make_flow(MINUTES, AGE), text)
    assert events[0] == AnswerRecorded("minutes", minutes, text)
    assert state.answers["minutes"] == minutes


def test_yes_no_answers():
    flow = make_flow(CONSENT, AGE)
    for text, value in (("1", "yes"), ("oui", "yes"), ("Yes", "yes"), ("2", "no"), ("NON", "no")):
        _, (_, events) = run(flow, text)
        assert events[0] == AnswerRecorded("consent", value, text)


def test_text_answers_are_trimmed_and_collapsed():
    state, (_, events) = run(make_flow(COMMENT, AGE), "  plus de   bureaux \n ouverts ")
    assert state.answers == {"comment": "plus de bureaux ouverts"}
    assert events[0].raw == "  plus de   bureaux \n ouverts "


def test_a_number_out_of_range_is_asked_again_naming_the_range():
    state, (_, events) = run(make_flow(AGE, MINUTES), "200")
    assert events[0] == AnswerInvalid("age", "200", 1)
    assert events[1].question_id == "age"
    assert events[1].error == "Répondez par un nombre entre 10 et 120."
    assert state.current == "age" and state.attempts == 1 and state.answers == {}


def test_a_number_range_in_english():
    _, (_, events) = run(make_flow(AGE), "5", language="en")
    assert events[1].error == "Please reply with a number between 10 and 120."


# --- invalid answers -------------------------------------------------------------------


@pytest.mark.parametrize("question, text, error", [
    (DISTRICT, "7", BUILTIN["invalid_choice"]["fr"].format(count=3)),
    (DISTRICT, "banane", BUILTIN["invalid_choice"]["fr"].format(count=3)),
    (HELPER, "1 banane", BUILTIN["invalid_multi"]["fr"]),
    (AGE, "beaucoup", BUILTIN["invalid_number"]["fr"].format(example="45")),
    (MINUTES, "longtemps", BUILTIN["invalid_number"]["fr"].format(example="1h30")),
    (CONSENT, "peut-etre", BUILTIN["invalid_yes_no"]["fr"]),
])
def test_an_invalid_answer_is_asked_again_with_an_error(question, text, error):
    state, (first, events) = run(make_flow(question, COMMENT), text)
    assert events == [AnswerInvalid(question["id"], text, 1), replace(first[-1], error=error)]
    assert state.current == question["id"] and state.attempts == 1 and state.answers == {}


def test_a_blank_text_answer_is_invalid():
    required = {**COMMENT, "optional": False}
    _, (_, events) = run(make_flow(required, AGE), "   ")
    assert of_type(events, AnswerInvalid) and events[-1].error == BUILTIN["invalid_text"]["fr"]


def test_after_three_invalid_answers_a_required_question_is_recorded_invalid():
    state, steps = run(make_flow(DISTRICT, AGE), "x", "y", "z")
    assert [e.attempt for s in steps[1:] for e in of_type(s, AnswerInvalid)] == [1, 2, 3]
    assert asked(steps[2]) == "district"
    last = steps[3]
    assert last[:2] == [AnswerInvalid("district", "z", 3), AnswerRecorded("district", None, "z", valid=False)]
    assert asked(last) == "age" and last[-1].error is None
    assert state.current == "age" and state.attempts == 0
    assert "district" not in state.answers and state.history == ("district",)


def test_after_three_invalid_answers_an_optional_question_is_skipped():
    optional_age = {**AGE, "optional": True}
    state, steps = run(make_flow(optional_age, DISTRICT), "x", "y", "z")
    assert steps[3][:2] == [AnswerInvalid("age", "z", 3), QuestionSkipped("age", "invalid")]
    assert not of_type(steps[3], AnswerRecorded)
    assert state.current == "district" and state.answers == {}


def test_a_valid_answer_after_an_invalid_one_resets_the_attempts():
    state, steps = run(make_flow(DISTRICT, AGE), "x", "1", "abc")
    assert state.current == "age" and state.attempts == 1
    assert steps[3][0] == AnswerInvalid("age", "abc", 1)


# --- skipping --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["PASSER", "skip", "Passer.", "next"])
def test_a_skip_word_skips_an_optional_question(word):
    state, (first, events) = run(make_flow(COMMENT, AGE), word)
    assert first[-1].hint == BUILTIN["optional_hint"]["fr"]
    assert events[0] == QuestionSkipped("comment", "declined")
    assert asked(events) == "age"
    assert state.answers == {} and state.history == ("comment",)


def test_a_skip_word_does_not_skip_a_required_question():
    state, (_, events) = run(make_flow(DISTRICT, AGE), "passer")
    assert events[0] == AnswerInvalid("district", "passer", 1)
    assert state.current == "district"
    # It says why, rather than "Réponse non comprise": the word was understood.
    assert events[1].error == "Cette question demande une réponse."


def test_skipping_the_last_question_completes():
    state, (*_, events) = run(make_flow(AGE, COMMENT), "30", "SKIP")
    assert events == [QuestionSkipped("comment", "declined"), Say("end", "Fin."), Finished(COMPLETED)]
    assert state.status == COMPLETED and state.answers == {"age": 30}


# --- global words ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", "ARRET", "Arrêt", "ARRÊT"])
def test_stop_opts_out_and_nothing_follows(word):
    flow = make_flow(DISTRICT, AGE)
    state, (_, events) = run(flow, word)
    assert events == [OptedOut(), Say("opted_out", BUILTIN["opted_out"]["fr"])]
    assert state.status == OPTED_OUT
    for text in ("1", "AIDE", "RETOUR", "STOP"):
        after, events = engine.step(flow, state, text, T0 + 3600)
        assert events == [] and after.status == OPTED_OUT and after.answers == state.answers


def test_stop_mid_way_keeps_the_answers_given():
    state, _ = run(make_flow(DISTRICT, AGE, COMMENT), "1", "stop")
    assert state.status == OPTED_OUT and state.answers == {"district": "centre"}


@pytest.mark.parametrize("word", ["AIDE", "help", "?", "Aide !"])
def test_help_explains_and_asks_the_same_question_again(word):
    flow = make_flow(DISTRICT, AGE)
    state, (_, invalid, events) = run(flow, "banane", word)
    assert events[0] == Say("help", BUILTIN["help_choice"]["fr"] + " " + BUILTIN["help"]["fr"])
    assert asked(events) == "district" and events[1].error is None
    assert state.current == "district" and state.attempts == 1  # help is not an attempt
    assert not of_type(events, AnswerInvalid)


def test_help_starts_with_the_question_own_help():
    flow = make_flow({**AGE, "help": {"fr": "En annees.", "en": "In years."}})
    _, (_, events) = run(flow, "HELP", language="en")
    assert events[0].text == "In years.\n" + BUILTIN["help_number"]["en"] + " " + BUILTIN["help"]["en"]


def test_back_at_the_first_question_says_so():
    state, (first, events) = run(make_flow(DISTRICT, AGE), "RETOUR")
    assert events == [Say("back_first", BUILTIN["back_first"]["fr"]), first[-1]]
    assert state.current == "district" and state.history == ()


@pytest.mark.parametrize("word", ["RETOUR", "back", "Précédent"])
def test_back_asks_the_previous_question_and_a_new_answer_overwrites(word):
    flow = make_flow(DISTRICT, AGE, COMMENT)
    state, steps = run(flow, "1", "30", word)
    assert [type(e) for e in steps[3]] == [Ask] and asked(steps[3]) == "age"
    assert state.current == "age" and state.history == ("district",)
    assert state.answers == {"district": "centre", "age": 30}  # kept until answered again
    state, events = engine.step(flow, state, "40", T0 + 999)
    assert events[0] == AnswerRecorded("age", 40, "40")
    assert asked(events) == "comment"
    assert state.answers == {"district": "centre", "age": 40} and state.history == ("district", "age")


def test_back_twice_then_forward_again():
    flow = make_flow(DISTRICT, AGE, COMMENT)
    state, steps = run(flow, "1", "30", "back", "back", "back", "2")
    assert asked(steps[4]) == "district"
    assert steps[5][0].key == "back_first"
    assert steps[6][0] == AnswerRecorded("district", "nord", "2")
    assert asked(steps[6]) == "age"  # the old age is kept in state until answered again
    assert state.answers == {"district": "nord", "age": 30}


def test_when_skips_a_question_whose_condition_fails():
    state, (_, events) = run(make_flow(PHONE, WHY, AGE), "basic")
    assert events == [AnswerRecorded("phone", "basic", "basic"), QuestionSkipped("why_none", "condition"), events[-1]]
    assert asked(events) == "age"
    assert state.history == ("phone",)  # skipped by condition: not a step BACK returns to


def test_when_asks_a_question_whose_condition_holds():
    state, (_, events) = run(make_flow(PHONE, WHY, AGE), "aucun")
    assert asked(events) == "why_none"


def test_back_from_a_branch_skipped_by_condition_goes_to_the_answered_question():
    state, (*_, events) = run(make_flow(PHONE, WHY, AGE), "basic", "back")
    assert asked(events) == "phone"


def test_changing_an_answer_clears_a_later_answer_that_no_longer_applies():
    flow = make_flow(PHONE, WHY, AGE)
    state, steps = run(flow, "1", "trop cher", "back", "back", "2")
    assert asked(steps[3]) == "why_none" and asked(steps[4]) == "phone"
    events = steps[5]
    assert events[:3] == [
        AnswerRecorded("phone", "basic", "2"), AnswerCleared("why_none"), QuestionSkipped("why_none", "condition"),
    ]
    assert asked(events) == "age"
    assert state.answers == {"phone": "basic"} and state.history == ("phone",)


def test_skipping_an_optional_question_on_the_way_back_clears_its_old_answer():
    flow = make_flow(COMMENT, AGE)
    state, steps = run(flow, "bonjour", "back", "passer")
    assert steps[3][:2] == [QuestionSkipped("comment", "declined"), AnswerCleared("comment")]
    assert state.answers == {}


def test_an_invalid_answer_on_the_way_back_replaces_the_old_one():
    # Three bad answers to a question answered before: the row is overwritten as invalid,
    # and the state forgets the old value, as on a first pass.
    flow = make_flow(DISTRICT, AGE)
    state, steps = run(flow, "1", "back", "x", "y", "z")
    last = steps[-1]
    assert AnswerRecorded("district", None, "z", valid=False) in last
    assert not of_type(last, AnswerCleared)  # a delete after the invalid row would lose it
    assert "district" not in state.answers
    assert asked(last) == "age"


# --- end_if and language -----------------------------------------------------------------


def test_end_if_declines_with_the_declined_text():
    flow = make_flow(CONSENT, AGE, declined={"fr": "Tant pis.", "en": "Never mind."})
    state, (_, events) = run(flow, "non")
    assert events == [AnswerRecorded("consent", "no", "non"), Say("declined", "Tant pis."), Finished(DECLINED)]
    assert state.status == DECLINED and state.current is None and state.answers == {"consent": "no"}
    assert engine.step(flow, state, "1", T0 + 999)[1] == []


def test_end_if_without_declined_text_says_the_end_text():
    _, (_, events) = run(make_flow(CONSENT, AGE), "2", language="en")
    assert events[-2:] == [Say("declined", "The end."), Finished(DECLINED)]


def test_end_if_not_met_goes_on():
    state, (_, events) = run(make_flow(CONSENT, AGE), "oui")
    assert asked(events) == "age" and state.status == ACTIVE


def test_the_language_question_switches_later_prompts():
    flow = make_flow(LANG, DISTRICT, AGE)
    state, (_, events) = run(flow, "english")
    assert events[:2] == [AnswerRecorded("lang", "en", "english"), LanguageChanged("en")]
    assert events[2].text == "Your district?" and events[2].options[1] == ("nord", "North")
    assert state.language == "en" and state.answers == {"lang": "en"}
    state, events = engine.step(flow, state, "x", T0 + 999)
    assert events[1].error == BUILTIN["invalid_choice"]["en"].format(count=3)


@pytest.mark.parametrize("text", ["2", "en", "ENG", "English"])
def test_the_language_question_understands(text):
    flow = make_flow(LANG, DISTRICT)
    state, _ = run(flow, text)
    assert state.language == "en" and state.answers == {"lang": "en"}


def test_choosing_the_current_language_changes_nothing():
    state, (_, events) = run(make_flow(LANG, DISTRICT), "1")
    assert not of_type(events, LanguageChanged) and state.language == "fr"


def test_going_back_to_the_language_question_switches_back():
    flow = make_flow(LANG, DISTRICT)
    state, steps = run(flow, "2", "back", "francais")
    assert steps[2][0].text == "Langue / Language?"
    assert steps[3][:2] == [AnswerRecorded("lang", "fr", "francais"), LanguageChanged("fr")]
    assert steps[3][-1].text == "Votre quartier ?"
    assert state.language == "fr" and state.answers == {"lang": "fr"}


def test_completing_the_flow():
    flow = make_flow(DISTRICT, HELPER, MINUTES, COMMENT)
    state, steps = run(flow, "nord", "1 2", "1h", "merci")
    assert steps[-1][-2:] == [Say("end", "Fin."), Finished(COMPLETED)]
    assert state.status == COMPLETED and state.current is None
    assert state.answers == {"district": "nord", "helper": ["family", "association"], "minutes": 60, "comment": "merci"}
    assert engine.step(flow, state, "encore", T0 + 9999) == (state, [])


def test_the_shipped_flow_end_to_end(shipped):
    inputs = ["2", "yes", "downtown", "woman", "34", "none", "1h30", "2", "3", "4", "4", "1 3", "sms", "more offices"]
    state, steps = run(shipped, *inputs)
    assert state.status == COMPLETED and state.language == "en"
    assert steps[-1][-2].text.startswith("Thank you!")
    assert state.answers == {
        "lang": "en", "consent": "yes", "district": "centre", "gender": "female", "age": 34, "disability": "none",
        "travel_minutes": 90, "visit_cost": "quarter_day", "visits_needed": 3, "wait": "longer",
        "phone": "smartphone_internet", "helper": ["family", "agent"], "contact_channel": "sms", "comment": "more offices",
    }
    assert not [e for s in steps for e in s if isinstance(e, (AnswerInvalid, AnswerCleared))]


# --- time --------------------------------------------------------------------------------


def test_is_idle_compares_the_times_given():
    state, _ = engine.start(make_flow(DISTRICT), T0)
    assert not engine.is_idle(state, T0 + 3600, idle_seconds=3600)
    assert engine.is_idle(state, T0 + 3601, idle_seconds=3600)
    state, _ = engine.step(make_flow(DISTRICT), state, "1", T0 + 100)
    assert not engine.is_idle(state, T0 + 3601, idle_seconds=3600)  # completed conversations are never idle


def test_expire_closes_an_idle_conversation():
    flow = make_flow(DISTRICT, AGE)
    state, _ = run(flow, "1")
    expired, events = engine.expire(state)
    assert events == [Finished(EXPIRED)]
    assert expired.status == EXPIRED and expired.current is None and expired.answers == {"district": "centre"}
    assert not engine.is_idle(expired, T0 + 10**9, idle_seconds=1)
    assert engine.step(flow, expired, "30", T0 + 10**9) == (expired, [])


def test_the_engine_uses_only_the_time_it_is_given(monkeypatch):
    def no_clock(*args):
        raise AssertionError("the engine read the clock")

    for name in ("time", "monotonic", "localtime", "gmtime"):
        monkeypatch.setattr(time, name, no_clock)
    flow = make_flow(DISTRICT, AGE, COMMENT)
    state, _ = engine.start(flow, 5.0)
    assert state.last_activity == 5.0
    for now, text in ((7.5, "x"), (3.0, "1"), (42.0, "AIDE"), (43.0, "RETOUR"), (44.0, "1"), (50.0, "30")):
        state, _ = engine.step(flow, state, text, now)
        assert state.last_activity == now  # even going backwards: the caller owns time
    assert engine.is_idle(state, 50.0 + 11, idle_seconds=10)


# --- state and purity --------------------------------------------------------------------


def test_state_round_trips_through_json():
    flow = make_flow(LANG, DISTRICT, HELPER, MINUTES, COMMENT)
    state, _ = run(flow, "english", "nord", "1 3", "x")
    assert state.history and state.attempts == 1 and isinstance(state.answers["helper"], list)
    data = state.to_json()
    assert isinstance(data["history"], list)
    assert State.from_json(data) == state
    assert State.from_json(json.loads(json.dumps(data))) == state
    data["answers"]["helper"].append("changed")  # the JSON form is a copy: saving it never alters the state
    assert "changed" not in state.answers["helper"]


def test_a_restored_state_carries_on_like_the_original():
    flow = make_flow(DISTRICT, HELPER, MINUTES)
    state, _ = run(flow, "1", "2 3")
    restored = State.from_json(json.loads(json.dumps(state.to_json())))
    assert engine.step(flow, restored, "1h30", T0 + 999) == engine.step(flow, state, "1h30", T0 + 999)
    assert engine.step(flow, restored, "back", T0 + 999) == engine.step(flow, state, "back", T0 + 999)


@pytest.mark.parametrize("text", ["1", "x", "AIDE", "RETOUR", "STOP", "passer", "1 3"])
def test_stepping_is_pure(text):
    flow = make_flow(PHONE, WHY, HELPER, COMMENT)
    state, _ = run(flow, "1", "trop loin", "back", "back")
    before = copy.deepcopy(state)
    first = engine.step(flow, state, text, T0 + 999)
    second = engine.step(flow, state, text, T0 + 999)
    assert first == second
    assert state == before and state.to_json() == before.to_json()


def test_changing_course_does_not_mutate_the_old_state():
    flow = make_flow(PHONE, WHY, AGE)
    state, _ = run(flow, "1", "trop cher", "back", "back")
    answers = dict(state.answers)
    new, _ = engine.step(flow, state, "2", T0 + 999)
    assert state.answers == answers == {"phone": "none", "why_none": "trop cher"}
    assert new.answers == {"phone": "basic"}


def test_resume_asks_the_pending_question_again():
    flow = make_flow(DISTRICT, AGE)
    state, _ = run(flow, "1")
    resumed, events = engine.resume(flow, state, T0 + 7200)
    assert events[0] == Say("resumed", BUILTIN["resumed"]["fr"]) and asked(events) == "age"
    assert resumed == state.with_(last_activity=T0 + 7200)


def test_an_integer_question_refuses_decimals_with_a_clear_reprompt():
    flow = make_flow({**AGE, "integer": True})
    state, (_, decimal, whole) = run(flow, "1,3", "34")
    assert of_type(decimal, AnswerInvalid) and decimal[-1].error == "Répondez par un nombre entier, par ex. 10."
    assert state.answers == {"age": 34}


def test_going_back_to_the_language_question_and_choosing_another_keeps_the_answer():
    flow = make_flow(LANG, AGE)
    state, _ = run(flow, "1", "RETOUR", "2")
    assert state.answers == {"lang": "en"} and state.language == "en"


# -- what the citizen is told back -------------------------------------------------------

PHONES = {"id": "phone", "type": "choice", "prompt": {"fr": "Votre téléphone ?", "en": "Your phone?"},
          "choices": [{"code": "basic", "label": {"fr": "Téléphone simple", "en": "Basic phone"}},
                      {"code": "smartphone", "label": {"fr": "Smartphone sans internet", "en": "Smartphone without internet"}},
                      {"code": "smartphone_internet", "label": {"fr": "Smartphone avec internet", "en": "Smartphone with internet"}}]}


def test_an_ambiguous_typo_asks_which_one_was_meant_without_using_up_a_try():
    state, (_, events) = run(make_flow(PHONES, AGE), "smartfone")
    (ask,) = events
    assert ask.question_id == "phone"
    assert ask.error == "Vous voulez dire 2 Smartphone sans internet ou 3 Smartphone avec internet ? Répondez par le numéro."
    assert state.attempts == 0 and state.answers == {}
    state, _ = engine.step(make_flow(PHONES, AGE), state, "3", T0 + 120)
    assert state.answers == {"phone": "smartphone_internet"}


def test_a_corrected_typo_is_echoed_with_the_next_question_so_it_can_be_undone():
    flow = make_flow(PHONES, AGE)
    state, (_, events) = run(flow, "smartfone avec internet")
    assert state.answers == {"phone": "smartphone_internet"}
    assert Say("understood", "Compris : Smartphone avec internet (RETOUR pour corriger)") in events
    assert render_messages(events) == ["Compris : Smartphone avec internet (RETOUR pour corriger)\nVotre age ?"]
    state, _ = engine.step(flow, state, "RETOUR", T0 + 120)
    assert state.current == "phone"


def test_an_exact_answer_is_not_echoed():
    _, (_, events) = run(make_flow(PHONES, AGE), "Smartphone avec internet")
    assert not [e for e in events if isinstance(e, Say)]


@pytest.mark.parametrize("text, value, echo", [
    ("vingt cinq", 25, "Compris : 25 (RETOUR pour corriger)"),
    ("quatre-vingt-dix-neuf", 99, "Compris : 99 (RETOUR pour corriger)"),
    ("25", 25, None),
])
def test_a_number_in_words_is_accepted_and_echoed(text, value, echo):
    state, (_, events) = run(make_flow(AGE, COMMENT), text)
    assert state.answers == {"age": value}
    says = [e.text for e in events if isinstance(e, Say)]
    assert says == ([echo] if echo else [])


def test_a_number_in_english_words_is_echoed_in_english():
    state, (_, events) = run(make_flow(AGE, COMMENT), "twenty-five", language="en")
    assert state.answers == {"age": 25}
    assert Say("understood", "Understood: 25 (BACK to change it)") in events


def test_a_small_typo_in_yes_is_accepted_and_echoed():
    state, (_, events) = run(make_flow(CONSENT, AGE), "ouii")
    assert state.answers == {"consent": "yes"}
    assert Say("understood", "Compris : Oui (RETOUR pour corriger)") in events


def test_system_messages_are_written_in_proper_french():
    _, (_, events) = run(make_flow(DISTRICT, AGE), "banane")
    assert events[-1].error == "Réponse non comprise. Répondez par un numéro de 1 à 3."
