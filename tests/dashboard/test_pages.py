"""What officials and the public see: consultations, progress, the profile, the results page."""

from __future__ import annotations

import re



def _text(response) -> str:
    return re.sub(r"\s+", " ", response.data.decode())


def test_consultations_list_shows_status_purposes_commitment_and_ways_in(app, settings, accounts):
    from app import create_app
    from tests.dashboard.conftest import log_in

    configured = create_app(settings.replace(TWILIO_FROM_NUMBER="+15005550006", USSD_SERVICE_CODE="*384*123#",
                                             TELEGRAM_BOT_USERNAME="palabre_bot"))
    client = configured.test_client()
    log_in(client, accounts["analyst"])
    page = _text(client.get("/dashboard/?lang=en"))
    assert "Access to public services" in page and "open" in page
    assert "send AVIS to +15005550006" in page and "dial *384*123#" in page
    assert "https://t.me/palabre_bot?start=access-barriers" in page and "<svg" in page  # the QR code
    assert "The city will publish the results within 2 months" in page


def test_officials_see_what_went_out_and_what_waits_for_a_retry(analyst, db, settings, now):
    from datetime import timedelta

    from models import OutboundMessage
    from palabre.identity import TEL
    from palabre.inbound import find_or_create_participant

    with db.session() as session:
        person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, "+447700900001", now)
        for status, attempts in (("sent", 1), ("sent", 1), ("failed", 6), ("skipped", 0), ("queued", 2)):
            session.add(OutboundMessage(participant_id=person.id, channel="sms", kind="invitation", text="Bonjour", status=status,
                                        attempts=attempts, created_at=now, next_attempt_at=now + timedelta(minutes=2) if status == "queued" else None))
        session.commit()
    page = _text(analyst.get("/dashboard/?lang=en"))
    assert "sent 2, waiting 1, failed 1, not sent: opted out 1." in page
    assert "1 failed for now and will be tried again" in page and "python app.py outbox retry" in page
    assert "+447700900001" not in page and "900001" not in page


def test_codes_read_as_words_in_english(analyst, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "25"])
    page = _text(analyst.get("/dashboard/?lang=en"))
    assert "citizen voice" in page and "simpler procedures" in page
    assert "citizen_voice" not in page and "opted_out" not in page


def test_the_page_speaks_french_on_request(analyst):
    page = _text(analyst.get("/dashboard/?lang=fr"))
    assert "Comment les citoyens participent" in page and "La mairie publiera" in page


def test_progress_counts_and_charts_from_real_conversations(analyst, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "25"])
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "Progress" in page and page.count("<svg") >= 2
    assert re.search(r'<div class="big">25</div> ?started', page)


def test_the_profile_shows_headline_groups_and_suppressed_cells(analyst, snapshot):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "42% <small>(35–49)</small>" in page
    assert "district: North" in page and "fewer than 10" in page
    assert page.index("district: North") < page.index("district: Centre") < page.index("fewer than 10")
    assert "North: 81% at risk (69–89), mostly distance and cost" in page
    assert "design effect" in page


def test_no_profile_yet_says_how_to_compute_it(analyst):
    page = _text(analyst.get("/dashboard/access-barriers?lang=en"))
    assert "python app.py aggregate access-barriers" in page


def test_unknown_consultation_is_a_clear_404(analyst):
    response = analyst.get("/dashboard/nope?lang=en")
    assert response.status_code == 404 and b"No consultation is called 'nope'" in response.data


def test_public_results_page_needs_no_login_and_respects_the_minimum_cell(client, snapshot):
    page = _text(client.get("/results/access-barriers?lang=en"))
    assert "Who is at risk of being left out" in page and "42%" in page
    assert "North" in page and "East" not in page.split("What we are doing")[0].split("Main reasons")[1]
    assert "Fewer than 10 people have answered so far." in page
    assert "<script" not in page


def test_public_results_page_in_french(client, snapshot):
    page = _text(client.get("/results/access-barriers?lang=fr"))
    assert "Qui risque d'être laissé de côté" in page and "Nord : 81 % à risque" in page


def test_pages_never_show_a_phone_number(analyst, runner, db):
    from sqlalchemy import select

    from models import ChannelAddress

    runner.invoke(args=["demo", "--no-serve", "--citizens", "15"])
    with db.session() as session:
        numbers = session.scalars(select(ChannelAddress.address)).all()
    pages = [analyst.get(url).data.decode() for url in ("/dashboard/", "/dashboard/access-barriers", "/results/access-barriers", "/")]
    for number in numbers:
        assert all(number not in page and number.lstrip("+") not in page for page in pages)
