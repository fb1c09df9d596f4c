"""The simulator's fourth rendering: what a caller hears, and the keys the call waits for."""

from __future__ import annotations

from tests.dashboard.conftest import csrf_from

URL = "/dashboard/access-barriers/simulator/?lang=en"


def send(client, text: str) -> str:
    page = client.get(URL)
    return client.post(URL, data={"text": text, "csrf_token": csrf_from(page.data)}).data.decode()


def test_the_voice_view_says_the_options_with_their_keys(analyst):
    first = analyst.get(URL).data.decode()
    assert "Voice call" in first and "press 9 never to be called again" not in first  # French until chosen
    assert "tapez 9 pour ne plus jamais être appelé" in first and "English, press 2." in first and "⌨ 1" in first
    send(analyst, "2")
    page = send(analyst, "yes")
    assert "For North, press 2." in page
    for answer in ("north", "woman"):
        page = send(analyst, answer)
    assert "Type the number, then the hash key." in page and "⌨ … #" in page


def test_the_voice_view_is_in_french_on_a_french_page(analyst):
    page = analyst.get("/dashboard/access-barriers/simulator/?lang=fr").data.decode()
    assert "Appel vocal" in page
