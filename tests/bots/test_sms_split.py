"""Messages over the SMS segment budget: rewritten in GSM-7 when that saves, else cut, never shortened."""

from __future__ import annotations

import pytest

from palabre.sms_segments import count_segments
from bots.sms_split import fit_all, fit_to_segments
from bots.text import render_ask
from flows.events import Ask


def test_a_message_within_the_budget_is_left_alone():
    assert fit_to_segments("Dans quel quartier vivez-vous ?\n1 Centre\n2 Nord", 1) == ["Dans quel quartier vivez-vous ?\n1 Centre\n2 Nord"]


def test_one_curly_apostrophe_no_longer_turns_the_message_into_ucs2():
    text = "Qu’est-ce qui vous aiderait le plus pour vos démarches à la mairie cette année ?"  # 80 characters
    assert count_segments(text).segments == 2
    assert fit_to_segments(text, 2) == ["Qu'est-ce qui vous aiderait le plus pour vos démarches à la mairie cette année ?"]


def test_unicode_that_has_no_gsm_equivalent_is_kept():
    assert fit_to_segments("Merci 🙂", 1) == ["Merci 🙂"]


def test_a_long_question_is_cut_between_lines_and_keeps_every_choice():
    ask = Ask("district", "choice", "Dans quel quartier vivez-vous ? " + "Précisez bien. " * 6,
              options=tuple((f"c{i}", f"Quartier numero {i} de la ville") for i in range(1, 9)))
    text = render_ask(ask)
    assert count_segments(text).segments > 1
    parts = fit_to_segments(text, 1)
    assert len(parts) > 1
    assert all(count_segments(part).segments == 1 for part in parts)
    assert "\n".join(parts) == text, "nothing may be dropped, lines stay whole"


def test_an_overlong_line_is_cut_between_words_then_inside_a_word():
    words = " ".join(["mot"] * 100)  # 399 characters, no line break
    parts = fit_to_segments(words, 1)
    assert all(count_segments(p).segments == 1 for p in parts)
    assert " ".join(parts) == words
    unbroken = "x" * 500
    parts = fit_to_segments(unbroken, 2)
    assert [len(p) for p in parts] == [306, 194]


@pytest.mark.parametrize("budget", [0, 1, 2, 3])
def test_every_part_fits_whatever_the_budget(budget):
    text = "ê" * 1000 + "\n" + "a" * 700
    parts = fit_to_segments(text, budget)
    assert all(count_segments(p).segments <= max(budget, 1) for p in parts)
    assert "".join(parts).replace("\n", "") == "e" * 1000 + "a" * 700  # ê has a GSM-7 stand-in


def test_fit_all_keeps_the_order_of_messages():
    assert fit_all(["Bonjour", "a" * 200], 1) == ["Bonjour", "a" * 160, "a" * 40]  # a single SMS holds 160


@pytest.mark.parametrize("text", [
    "a" * 160, "a" * 161, "a" * 159 + "€", "a" * 158 + "€", "`" * 70, "`" * 71, "ê" * 70, "ê" * 71,
    "🙂" * 35, "🙂" * 36, "é" * 160, "é" * 161, "{" * 80, "{" * 81, "", "a\nb",
])
def test_the_quick_one_segment_check_agrees_with_the_full_count(text):
    from bots.sms_split import _one_segment

    assert _one_segment(text) == (count_segments(text).segments == 1)
