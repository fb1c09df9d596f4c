"""Fixtures for the Twilio SMS channel: Twilio configured, a fake Twilio REST API, signed webhooks."""

from __future__ import annotations

import itertools

import pytest

from fakes.fake_twilio import FakeTwilio
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, payload, post_signed, twilio_settings, twiml_messages

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
def sms(loaded, client):
    """Send a signed SMS to the webhook as a citizen; returns (response, replies)."""
    sids = itertools.count(1)

    def _sms(body: str, sender: str = PHONE, sid: str | None = None, **fields: str):
        form = payload("inbound_sms", Body=body, From=sender, MessageSid=sid or f"SM{next(sids):032d}", **fields)
        response = post_signed(client, "/sms/twilio", form)
        replies = twiml_messages(response) if response.status_code == 200 else None
        return response, replies

    return _sms
