"""The simulator shows the engine's French with its accents, and what it read back to the citizen."""

from __future__ import annotations

from tests.dashboard.conftest import csrf_from

URL = "/dashboard/access-barriers/simulator/?lang=fr"


def send(client, text: str) -> str:
    page = client.get(URL)
    return client.post(URL, data={"text": text, "csrf_token": csrf_from(page.data)}).data.decode()


def test_a_french_reprompt_keeps_its_accents_and_a_typo_is_read_back(analyst):
    send(analyst, "1")
    send(analyst, "oui")
    page = send(analyst, "9")
    assert "Réponse non comprise. Répondez par un numéro de 1 à 5." in page
    page = send(analyst, "nrod")
    assert "Compris : Nord (RETOUR pour corriger)" in page
