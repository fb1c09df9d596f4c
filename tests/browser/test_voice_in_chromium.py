"""Voice pages in headless Chromium, French and English, desktop and phone: the cost of calls, a recorded answer heard,
and a broadcast's preview pricing a call.

Screenshots are kept in build/screenshots/ (git-ignored): call-cost-*, recorded-answer-* and broadcast-calls-*.png.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from fakes.fake_twilio import FakeTwilio
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, twilio_settings
from fakes.twilio_voice import Call
from models import Action, Consultation
from palabre.accounts import create_user
from tests.browser.test_figures_in_chromium import SCREENSHOTS, SIZES
from tests.browser.test_pages_in_chromium import CHROMIUM, FLAGS

FOLDERS = [Path(__file__).resolve().parents[1] / "data" / "voice_record", Path(__file__).resolve().parents[2] / "flows" / "library"]
SID = "RE" + "fedcba9876543210" * 2
# About a second of silent MPEG-1 Layer III at 128 kbit/s, 44.1 kHz: 40 frames of 417 bytes, a header and zeros.
MP3 = (b"\xff\xfb\x90\x00" + bytes(413)) * 40


@pytest.fixture
def fake_twilio():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_twilio):
    return twilio_settings(settings, fake_twilio.url)


@pytest.fixture
def served(app, db, client, fake_twilio):
    """The shipped flow and the recording test flow open, one call recorded, an official, on a free port."""
    from palabre.consultations import load_library

    with db.session() as session:
        load_library(session, FOLDERS[0])  # alone at first: an incoming call starts it
        create_user(session, "official@city.example", "a long enough password", "admin")
        session.commit()
    phone_call = Call(client, "+447700900001")
    phone_call.answer()
    for key in ("2", "1", "1"):  # English, North, agree to be recorded
        phone_call.press(key)
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{SID}"
    phone_call.post("/voice/twilio?step=4", phone_call._form(RecordingUrl=url, RecordingSid=SID, RecordingDuration="1", Digits="#"))
    phone_call.press("34")  # the age: the call is complete, its caller a respondent "you said, we did" may reach
    fake_twilio.recordings[SID] = MP3
    with db.session() as session:
        load_library(session, FOLDERS[1])
        consultation = session.scalar(select(Consultation).where(Consultation.slug == "voice-record"))
        session.add(Action(consultation_id=consultation.id, title={"fr": "Guichet mobile", "en": "Mobile office"},
                           description={}, groups=[], status="planned"))
        session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


def test_the_cost_of_calls_and_a_recorded_answer_read_and_play_in_both_languages_on_desktop_and_phone(served, fake_twilio):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for size, viewport in SIZES.items():
            page = browser.new_context(viewport=viewport).new_page()
            refused: list[str] = []
            page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None)
            page.goto(f"{served}/login?lang=en")
            page.fill("#email", "official@city.example")
            page.fill("#password", "a long enough password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{served}/dashboard/")
            for lang in ("fr", "en"):
                page.goto(f"{served}/dashboard/access-barriers?lang={lang}")
                page.click("main a[href$='/calls/cost']")  # the consultation page's "Cost of calls" button
                page.fill("#calls", "250")
                page.click("#call-cost-form button[type=submit]")
                page.wait_for_url("**/calls/cost?calls=250")
                rows = page.locator("#call-costs tbody tr")
                assert rows.count() == 2
                assert page.locator("#call-costs tbody tr").first.locator("td").last.inner_text().replace("\u202f", "") == "200.00 USD"
                # The total is read first, on the first screen even on a phone, whatever the table's width.
                total = page.locator("#call-cost-total")
                assert total.inner_text().startswith("200.00 USD") and total.bounding_box()["y"] < viewport["height"]
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (lang, size)
                page.screenshot(path=str(SCREENSHOTS / f"call-cost-{lang}-{size}.png"), full_page=True)
                page.goto(f"{served}/dashboard/voice-record/comments?lang={lang}")
                audio = page.locator("audio.recorded-answer")
                assert audio.count() == 1 and SID not in page.content()
                # Played as an official would: the browser fetches it from the dashboard, which fetches it from Twilio.
                duration = page.evaluate("""() => new Promise((done) => {
                    const audio = document.querySelector('audio.recorded-answer');
                    audio.addEventListener('loadedmetadata', () => done(audio.duration), {once: true});
                    audio.addEventListener('error', () => done(-1), {once: true});
                    audio.preload = 'auto'; audio.load();
                })""")
                assert 0.9 < duration < 1.2, (lang, size, duration)
                player = audio.bounding_box()
                assert player["x"] >= 0 and player["x"] + player["width"] <= viewport["width"], (lang, size, player)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (lang, size)
                page.screenshot(path=str(SCREENSHOTS / f"recorded-answer-{lang}-{size}.png"), full_page=True)
                # "You said, we did" to the caller: the preview counts a call and prices its minute.
                page.goto(f"{served}/dashboard/voice-record/actions/1/broadcast?lang={lang}")
                page.fill("#text_fr", "Vous avez dit, nous faisons : un guichet mobile le mardi.")
                page.fill("#text_en", "You said, we did: a mobile office on Tuesdays.")
                page.click("button[name=confirm][value=preview]")
                page.wait_for_selector("#call-note")
                assert page.locator("#costs tbody tr").last.locator("td").last.inner_text() == "0.20 USD"
                total = page.locator("#total-cost")  # read without scrolling the table sideways, even on a phone
                assert total.inner_text().endswith("0.20 USD") and total.bounding_box()["x"] + total.bounding_box()["width"] <= viewport["width"]
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (lang, size)
                page.screenshot(path=str(SCREENSHOTS / f"broadcast-calls-{lang}-{size}.png"), full_page=True)
            assert refused == [], refused
        browser.close()
    assert set(fake_twilio.fetched) == {SID}
