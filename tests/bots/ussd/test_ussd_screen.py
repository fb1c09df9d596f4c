"""USSD screens: 182 ASCII characters at most, every choice reachable, notices that matter kept."""

from __future__ import annotations

import re

import pytest

from bots.ussd_screen import (
    MIN_PROMPT_CHARS, SCREEN_CHARS, menu_pages, page_count, render_page, render_screen, screen_for, to_ascii,
)
from palabre.config import ROOT
from flows import engine
from flows.events import Ask, Finished, Say
from flows.loader import load_flow
from flows.messages import message
from flows.state import State

SHIPPED = load_flow(ROOT / "flows" / "library" / "access_barriers.yaml")
QUESTIONS = [(lang, q.id) for lang in SHIPPED.languages for q in SHIPPED.questions]


def shipped_ask(lang: str, qid: str, error: str | None = None) -> Ask:
    return engine.ask(SHIPPED, State(language=lang), SHIPPED.question(qid), error)


def long_menu(count: int = 20, label: str = "Quartier numero {i} au bord du fleuve", prompt: str = "Votre quartier ?") -> Ask:
    options = tuple((f"q{i}", label.format(i=i)) for i in range(1, count + 1))
    return Ask("district", "choice", prompt, options)


def choice_numbers(text: str) -> list[int]:
    return [int(m) for m in re.findall(r"^(\d+) ", text, re.M) if m not in ("98", "0")]


def assert_fits(text: str) -> None:
    assert len(text) <= SCREEN_CHARS, (len(text), text)
    assert text.isascii(), text


@pytest.mark.parametrize(("lang", "qid"), QUESTIONS)
def test_every_shipped_question_fits_one_screen_whole(lang, qid):
    ask = shipped_ask(lang, qid)
    text = render_screen([ask], lang)
    assert_fits(text)
    assert page_count(ask, lang) == 1
    assert to_ascii(ask.text) in text
    assert choice_numbers(text) == list(range(1, len(ask.options) + 1))


@pytest.mark.parametrize(("lang", "qid"), QUESTIONS)
def test_a_resumed_session_says_so_in_one_line_above_every_question(lang, qid):
    resumed = Say("resumed", message(SHIPPED, "resumed", lang))
    text = render_screen([resumed, shipped_ask(lang, qid)], lang)
    assert_fits(text)
    assert text.splitlines()[0] == to_ascii(resumed.text)
    assert choice_numbers(text) == list(range(1, len(shipped_ask(lang, qid).options) + 1))
    question = to_ascii(shipped_ask(lang, qid).text)
    assert text.splitlines()[1] == question or len(text.splitlines()[1]) >= MIN_PROMPT_CHARS  # cut at worst


@pytest.mark.parametrize(("lang", "qid"), QUESTIONS)
def test_a_re_prompt_keeps_its_explanation_and_every_choice(lang, qid):
    error = "Reponse non comprise. Repondez par un numero de 1 a 5." if lang == "fr" else "Sorry, we did not understand. Reply with a number from 1 to 5."
    ask = shipped_ask(lang, qid, error)
    text = render_screen([ask], lang)
    assert_fits(text)
    assert error in text
    assert choice_numbers(text) == list(range(1, len(ask.options) + 1))


def test_the_intro_shows_when_it_fits_and_gives_way_to_the_whole_question_when_not():
    start = render_screen(engine.start(SHIPPED, 0.0)[1], "fr")
    assert start.startswith("Mairie: 14 questions") and "2 English" in start
    intro_en = Say("intro", SHIPPED.intro["en"])
    consent = shipped_ask("en", "consent")
    text = render_screen([intro_en, consent], "en")
    assert_fits(text)
    assert text.startswith(consent.text) and "City hall" not in text


def test_a_long_menu_is_paged_with_every_choice_once_and_the_keys_where_they_apply():
    ask = long_menu()
    pages = [render_page(ask, p, "fr") for p in range(page_count(ask, "fr"))]
    assert len(pages) > 1
    for number, text in enumerate(pages):
        assert_fits(text)
        assert ("98 Suite" in text) == (number < len(pages) - 1)
        assert ("0 Retour" in text) == (number > 0)
        assert text.startswith("Votre quartier ?")
    assert sum((choice_numbers(text) for text in pages), []) == list(range(1, 21))


def test_pager_keys_speak_the_conversation_language_or_both():
    ask = long_menu()
    assert "98 More" in render_page(ask, 0, "en") and "0 Back" in render_page(ask, 1, "en")
    assert "98 Suite/More" in render_page(ask, 0, None)


def test_pages_depend_on_the_question_only_so_the_pager_can_redraw_them_later():
    ask = long_menu(label="Un quartier au nom assez long numero {i}")
    notices = [Say("resumed", "Reprise la ou vous en etiez."), Say("intro", "x" * 150)]
    first = render_page(ask, 0, "fr", notices)
    assert choice_numbers(first) == choice_numbers(render_page(ask, 0, "fr"))
    assert first.startswith("Reprise la ou vous en etiez.")
    assert menu_pages(ask, "fr") == menu_pages(ask.__class__(**{**ask.__dict__, "error": "Erreur."}), "fr")


def test_absurd_menus_still_fit_every_page():
    ask = long_menu(count=97, label="L" * 300 + " {i}", prompt="Q" * 500 + " ?")
    pages = [render_page(ask, p, "fr") for p in range(page_count(ask, "fr"))]
    for text in pages:
        assert_fits(text)
    assert sum((choice_numbers(text) for text in pages), []) == list(range(1, 98))


def test_a_free_text_question_has_no_menu_and_a_long_prompt_is_cut():
    ask = Ask("comment", "text", "Un dernier mot ? " * 20, hint="(PASSER pour ne pas repondre)")
    text = render_screen([Say("help", "Ecrivez votre reponse en quelques mots."), ask], "fr")
    assert_fits(text)
    assert text.startswith("Ecrivez votre reponse") and text.endswith("...")


def test_last_words_end_the_session_in_ascii():
    events = [Say("end", SHIPPED.end["fr"]), Finished("completed")]
    screen = screen_for(events, "fr", finished=True)
    assert screen.end and screen.text == "Merci ! Vos reponses nous aident a n'oublier personne. Resultats publics sous 2 mois."
    assert not screen_for([shipped_ask("fr", "age")], "fr", finished=False).end
    assert len(render_screen([Say("help", "é" * 400)])) == SCREEN_CHARS


def test_to_ascii_transliterates_and_drops_what_a_telco_would_mangle():
    assert to_ascii("Têtes « œuvre » d’État 🙂\x07") == 'Tetes " oeuvre " d\'Etat '
