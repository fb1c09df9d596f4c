"""Fixtures for the voice channel: Twilio configured, a fake Twilio REST API, calls that follow their TwiML."""

from __future__ import annotations

import pytest

from fakes.fake_twilio import FakeTwilio
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, twilio_settings
from fakes.twilio_voice import Call

PHONE = "+447700900001"


@pytest.fixture
def fake_twilio():
    """A fake Twilio REST API on 127.0.0.1, for the life of one test."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def settings(settings, fake_twilio):
    """The test settings, with Twilio configured and its REST API faked."""
    return twilio_settings(settings, fake_twilio.url)


@pytest.fixture
def call(loaded, client):
    """Start a call from (or to) a citizen's phone: `call()` returns a Call, `call().answer()` its first TwiML."""

    def _call(phone: str = PHONE, direction: str = "inbound", sid: str | None = None) -> Call:
        return Call(client, phone, direction, sid)

    return _call
