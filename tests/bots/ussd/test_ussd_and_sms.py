"""One citizen, two channels over HTTP: a USSD session dropped mid-way is finished by SMS, and back."""

from __future__ import annotations

import pytest

from fakes.twilio_requests import payload, post_signed, twilio_settings, twiml_messages
from fakes.ussd_requests import AtSession, count_rows, stored_answers
from models import Conversation

PHONE = "+447700900111"


@pytest.fixture
def settings(settings):
    """USSD opened by secret (tests/bots/ussd/conftest.py) and Twilio configured; no message leaves."""
    return twilio_settings(settings)


@pytest.fixture(autouse=True)
def same_clock(monkeypatch, clock):
    """The SMS webhook on the USSD webhook's frozen clock, so neither sees the other's message as days old."""
    monkeypatch.setattr("bots.sms.utcnow", clock)


def sms(client, body: str, sid: str) -> list[str]:
    response = post_signed(client, "/sms/twilio", payload("inbound_sms", Body=body, From=PHONE, MessageSid=sid))
    assert response.status_code == 200, response.get_data(as_text=True)
    return twiml_messages(response)


def test_started_on_ussd_finished_by_sms_then_seen_again_on_ussd(loaded, client, db):
    citizen = AtSession(client, PHONE)
    citizen.dial()
    for text in ["2", "1", "5"]:  # English, consent, West; then the network drops the session
        citizen.send(text)
    replies = sms(client, "a man", "SM" + "1" * 32)
    assert replies[-1].startswith("How old are you?")
    again = AtSession(client, PHONE, "ATUid_after_sms").dial()
    assert again.body.startswith("CON Picking up where you left off.\nHow old are you?")
    assert stored_answers(db) == {"lang": "en", "consent": "yes", "district": "ouest", "gender": "male"}
    assert count_rows(db, Conversation) == 1
