"""The engine's words on SMS: proper French where GSM-7 allows it, close GSM-7 letters where it does not."""

from __future__ import annotations

from bots.text import render_messages
from flows.events import Ask, Say
from palabre.sms_segments import count_segments, to_gsm_friendly

# A flow may reword an engine message with letters outside GSM-7 (ê, ç, «, ’).
REWORDED = Say("help", "Tapez « RETOUR » pour revenir, même après l’envoi. Ça marche à tout moment.")
QUESTION = Ask("district", "choice", "Dans quel quartier vivez-vous ?", (("nord", "Nord"), ("sud", "Sud")),
               error="Réponse non comprise. Êtes-vous sûr ?", hint="(PASSER pour ne pas répondre)")


def test_on_sms_the_engines_words_become_gsm_7_and_keep_the_accents_gsm_7_has():
    help_text, question = render_messages([REWORDED, QUESTION], system=to_gsm_friendly)
    assert help_text == "Tapez \" RETOUR \" pour revenir, meme après l'envoi. Ça marche à tout moment."  # capital Ç is GSM-7
    assert count_segments(help_text).encoding == "GSM-7"
    assert question.splitlines()[0] == "Réponse non comprise. Etes-vous sur ?"
    assert question.splitlines()[-1] == "(PASSER pour ne pas répondre)"


def test_the_flows_own_texts_are_sent_as_written():
    intro = Say("intro", "Mairie : ça prend 2 minutes.")
    question = Ask("helped", "yes_no", "Avez-vous reçu de l’aide ?", (("yes", "Oui"), ("no", "Non")))
    assert render_messages([intro, question], system=to_gsm_friendly) == [
        "Mairie : ça prend 2 minutes.", "Avez-vous reçu de l’aide ?\n1 Oui\n2 Non"]


def test_elsewhere_the_engines_words_are_shown_as_written():
    assert render_messages([REWORDED]) == [REWORDED.text]


def test_what_was_understood_opens_the_next_message():
    understood = Say("understood", "Compris : Nord (RETOUR pour corriger)")
    assert render_messages([understood, QUESTION])[0].startswith("Compris : Nord (RETOUR pour corriger)\nRéponse non comprise")
    assert render_messages([understood, Say("end", "Merci !")]) == ["Compris : Nord (RETOUR pour corriger)\nMerci !"]
