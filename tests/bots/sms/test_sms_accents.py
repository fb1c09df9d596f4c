"""Over SMS the engine's French keeps its accents and still costs GSM-7 segments."""

from __future__ import annotations

from palabre.sms_segments import count_segments


def test_a_french_reprompt_by_sms_has_its_accents_and_stays_gsm_7(sms):
    sms("AVIS")
    sms("1")
    sms("oui")
    _, replies = sms("9")
    reprompt = replies[0]
    assert reprompt.startswith("Réponse non comprise. Répondez par un numéro de 1 à 5.\nDans quel quartier")
    assert count_segments(reprompt).encoding == "GSM-7"


def test_a_typo_corrected_by_sms_is_read_back_with_the_next_question(sms):
    sms("AVIS")
    sms("1")
    sms("oui")
    _, replies = sms("nrod")
    assert replies[0].startswith("Compris : Nord (RETOUR pour corriger)\nVous etes :")
