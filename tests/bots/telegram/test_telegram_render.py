"""Telegram rendering: message texts, inline keyboards and the callback codes of their buttons."""

from __future__ import annotations

import pytest

from bots.telegram_render import (
    MAX_CALLBACK_BYTES, MAX_TEXT_CHARS, Press, ask_text, keyboard_for, parse_press, press_data, question_ref,
    reply_texts, share_keyboard,
)
from flows import engine
from flows.events import Ask, Say
from flows.loader import check_flow_file
from flows.state import State
from palabre.config import ROOT

FLOW, _ = check_flow_file(ROOT / "flows" / "library" / "access_barriers.yaml")


def ask_of(question_id: str, language: str = "fr") -> Ask:
    return engine.ask(FLOW, State(language=language, current=question_id), FLOW.question(question_id))


def keyboard_of(question_id: str, language: str = "fr", mask: int = 0):
    return keyboard_for(ask_of(question_id, language), question_ref(FLOW.id, question_id), language, mask)


def rows(markup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


@pytest.mark.parametrize("question", [q.id for q in FLOW.questions if q.type in ("choice", "multi_choice", "yes_no", "language")])
def test_every_button_of_the_shipped_flow_fits_telegram_and_names_its_question(question):
    markup = keyboard_of(question)
    for button in (b for row in markup.inline_keyboard for b in row):
        assert len(button.callback_data.encode()) <= MAX_CALLBACK_BYTES
        press = parse_press(button.callback_data)
        assert press is not None and press.ref == question_ref(FLOW.id, question)


def test_a_choice_shows_one_numbered_button_per_row_in_the_conversation_language():
    assert rows(keyboard_of("district", "en")) == [["1. Centre"], ["2. North"], ["3. South"], ["4. East"], ["5. West"]]
    presses = [parse_press(b.callback_data) for row in keyboard_of("district").inline_keyboard for b in row]
    assert [(p.verb, p.value) for p in presses] == [("a", 1), ("a", 2), ("a", 3), ("a", 4), ("a", 5)]


def test_yes_no_and_language_questions_fit_on_one_row():
    assert rows(keyboard_of("consent")) == [["Oui", "Non"]]
    assert rows(keyboard_of("lang", "en")) == [["Francais", "English"]]


def test_a_multi_choice_toggles_its_boxes_and_done_carries_the_selection():
    ref = question_ref(FLOW.id, "helper")
    untouched = keyboard_of("helper")
    assert rows(untouched) == [["☐ 1. Famille ou amis"], ["☐ 2. Une association"], ["☐ 3. Un agent public"],
                               ["☐ 4. Personne"], ["✅ Valider"]]
    assert parse_press(untouched.inline_keyboard[0][0].callback_data) == Press("t", ref, 0b0001)
    ticked = keyboard_of("helper", mask=0b0101)  # options 1 and 3
    assert [row[0].text[0] for row in ticked.inline_keyboard[:4]] == ["☑", "☐", "☑", "☐"]
    assert parse_press(ticked.inline_keyboard[0][0].callback_data) == Press("t", ref, 0b0100)  # unticks 1
    assert parse_press(ticked.inline_keyboard[4][0].callback_data) == Press("d", ref, 0b0101)


@pytest.mark.parametrize("question", ["age", "travel_minutes", "comment"])
def test_numbers_and_free_text_have_no_buttons(question):
    assert keyboard_of(question) is None


def test_callback_data_stays_within_64_bytes_for_long_ids_and_many_options():
    ask = Ask("a_very_long_question_identifier_" + "x" * 40, "multi_choice", "?",
              tuple((f"c{i}", f"Option {i}") for i in range(60)))
    markup = keyboard_for(ask, question_ref("some-flow", ask.question_id), "en", mask=(1 << 60) - 1)
    assert all(len(b.callback_data.encode()) <= MAX_CALLBACK_BYTES for row in markup.inline_keyboard for b in row)


def test_press_data_round_trips():
    assert parse_press(press_data("a", "0123abcd", 12)) == Press("a", "0123abcd", 12)


@pytest.mark.parametrize("data", [None, "", "x", "a:zz:1", "a:0123abcd:", "a:0123abcd:1:2", "q:0123abcd:1",
                                  "a:0123abcd:" + "f" * 60, "a:0123ABCD:1"])
def test_forged_or_foreign_callback_data_is_refused(data):
    assert parse_press(data) is None


def test_a_reask_keeps_the_reason_and_the_hint():
    ask = engine.ask(FLOW, State(language="en", current="comment"), FLOW.question("comment"), error="Please write a few words.")
    assert ask_text(ask, "en") == "Please write a few words.\nAnything else that would help you?\n(SKIP to leave it blank)"
    assert ask_text(ask_of("helper", "en"), "en").endswith("Tap your answers, then Done.")


def test_a_step_becomes_one_message_and_only_overlong_text_is_split():
    events = [Say("intro", "Bonjour."), ask_of("consent")]
    assert reply_texts(events, "fr") == ["Bonjour.\n\n" + FLOW.question("consent").prompt["fr"]]
    long = [Say("a", "x" * 3000), Say("b", "y" * 3000), Say("c", "z" * 9000)]
    parts = reply_texts(long, "fr")
    assert all(len(part) <= MAX_TEXT_CHARS for part in parts) and "".join(parts).replace("\n", "") == "x" * 3000 + "y" * 3000 + "z" * 9000
    assert reply_texts([], "fr") == []


def test_the_share_button_asks_for_the_contact_once_and_goes_away():
    markup = share_keyboard("en")
    [[button]] = markup.keyboard
    assert button.request_contact and "number" in button.text
    assert markup.one_time_keyboard and markup.resize_keyboard
