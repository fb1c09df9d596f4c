"""engine.set_language: a conversation changes language mid-way (Telegram's /lang) and the question comes again."""

from __future__ import annotations

from flows import engine
from flows.events import Ask, LanguageChanged
from flows.loader import check_flow_file
from flows.state import COMPLETED, State
from palabre.config import ROOT

FLOW, _ = check_flow_file(ROOT / "flows" / "library" / "access_barriers.yaml")


def test_switching_asks_the_pending_question_again_in_the_new_language():
    state = State(language="fr", current="district", answers={"lang": "fr", "consent": "yes"}, attempts=1)
    new, events = engine.set_language(FLOW, state, "en", 100.0)
    assert new.language == "en" and new.current == "district" and new.answers == state.answers
    assert new.last_activity == 100.0
    assert events[0] == LanguageChanged("en")
    assert isinstance(events[1], Ask) and events[1].text == "Which district do you live in?"


def test_the_same_language_only_asks_again():
    _, events = engine.set_language(FLOW, State(language="fr", current="age"), "fr", 1.0)
    assert [type(e) for e in events] == [Ask]


def test_a_language_the_flow_lacks_or_a_finished_conversation_changes_nothing():
    state = State(language="fr", current="age")
    assert engine.set_language(FLOW, state, "de", 1.0) == (state.with_(last_activity=1.0), [])
    done = State(language="fr", status=COMPLETED)
    assert engine.set_language(FLOW, done, "en", 1.0)[1] == []
