"""`retry`, `then` and `{...}` placeholders: a flow's own words on its routes (what RapidPro flows say)."""

from __future__ import annotations

import pytest

from flows import engine
from flows.events import Ask, LanguageChanged, Say
from flows.loader import check_flow_data

T0 = 1_772_443_800.0
FLOW = {
    "id": "colors", "title": {"en": "Colors", "fr": "Couleurs"}, "languages": ["en", "fr"],
    "end": {"en": "Bye {color|lower}!", "fr": "Salut !"},
    "questions": [
        {"id": "color", "type": "choice", "prompt": {"en": "Favorite color?", "fr": "Couleur préférée ?"},
         "retry": {"en": "I don't know '{input}'. Try again.", "fr": "Je ne connais pas '{input}'."},
         "choices": [{"code": "orange", "label": {"en": "Orange", "fr": "Orange"}},
                     {"code": "blue", "label": {"en": "Blue", "fr": "Bleu"}}],
         "then": [{"say": {"en": "I love {color|lower} too!", "fr": "J'aime aussi le {color|lower} !"}, "when": "color == 'orange'"},
                  {"say": {"en": "{color|upper} is sad.", "fr": "Le {color} est triste."}, "when": "color == 'blue'"},
                  {"language": "fr", "when": "color == 'blue'"}]},
        {"id": "why", "type": "text", "prompt": {"en": "Why {color}?", "fr": "Pourquoi {color.category} ({color}) ?"}},
    ],
}


def flow():
    loaded, problems = check_flow_data(FLOW)
    assert loaded is not None, problems
    return loaded


def said(events):
    return [e.text for e in events if isinstance(e, Say)] + [e.text for e in events if isinstance(e, Ask)]


def test_the_flows_retry_words_replace_the_engines_and_quote_the_input():
    state, _ = engine.start(flow(), T0, "en")
    state, events = engine.step(flow(), state, "purple", T0 + 1)
    assert [e.error for e in events if isinstance(e, Ask)] == ["I don't know 'purple'. Try again."]


def test_then_says_what_the_answers_route_says_and_fills_the_answer_in():
    state, _ = engine.start(flow(), T0, "en")
    _, events = engine.step(flow(), state, "orange", T0 + 1)
    assert said(events) == ["I love orange too!", "Why Orange?"]


def test_then_can_switch_the_language_for_what_follows():
    state, _ = engine.start(flow(), T0, "en")
    state, events = engine.step(flow(), state, "blue", T0 + 1)
    assert said(events) == ["BLUE is sad.", "Pourquoi Blue (Bleu) ?"]
    assert any(isinstance(e, LanguageChanged) and e.language == "fr" for e in events)
    assert state.language == "fr"


def test_placeholders_reach_the_end_message_and_unknown_braces_stay():
    loaded, problems = check_flow_data({**FLOW, "end": {"en": "Bye {color|lower} {nobody}!", "fr": "Salut !"}})
    state, _ = engine.start(loaded, T0, "en")
    state, _ = engine.step(loaded, state, "orange", T0 + 1)
    _, events = engine.step(loaded, state, "it is warm", T0 + 2)
    assert [e.text for e in events if isinstance(e, Say) and e.key == "end"] == ["Bye orange {nobody}!"]


@pytest.mark.parametrize("then, message", [
    ([{"when": "color == 'blue'"}], "must say something (say: ...) or switch the language (language: ...)"),
    ([{"say": "x", "language": "de"}], "language 'de' is not in languages"),
    ([{"say": "x", "when": "why == 'x'"}], "later question"),
])
def test_a_broken_route_is_named(then, message):
    broken = {**FLOW, "questions": [{**FLOW["questions"][0], "then": then}, FLOW["questions"][1]]}
    loaded, problems = check_flow_data(broken)
    assert loaded is None and any(message in str(p) for p in problems), problems
