"""WhatsApp through Twilio: its own channel on the SMS webhook, one person with their SMS self, the 24-hour rule."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.errors import ChannelNotConfigured
from bots.whatsapp_client import WhatsAppSender
from fakes.twilio_requests import ACCOUNT_SID, payload, post_signed, twiml_messages
from models import Conversation, InboundMessage, OutboundMessage, Participant
from palabre.whatsapp_window import NO_TEMPLATE, refusal

PHONE = "+447700900001"
WHATSAPP_FROM = "+14155238886"
TEMPLATE = "HX" + "c" * 32


@pytest.fixture
def settings(settings):
    return settings.replace(TWILIO_WHATSAPP_FROM=WHATSAPP_FROM)


@pytest.fixture
def whatsapp(loaded, client):
    """Send a signed WhatsApp message to the messaging webhook as Twilio does; returns the TwiML replies."""
    sids = itertools.count(1)

    def _send(body: str, number: str = PHONE):
        form = payload("inbound_whatsapp", Body=body, From=f"whatsapp:{number}", WaId=number.lstrip("+"),
                       MessageSid=f"SM{next(sids):032d}", SmsMessageSid=None, SmsSid=None)
        response = post_signed(client, "/sms/twilio", form)
        assert response.status_code == 200, response.get_data(as_text=True)
        return twiml_messages(response)

    return _send


def test_a_whatsapp_message_starts_a_whatsapp_conversation_answered_inline(whatsapp, db):
    replies = whatsapp("AVIS")
    assert replies and replies[-1].startswith("Langue / Language?\n1 ")
    with db.session() as session:
        assert session.scalar(select(Conversation.channel)) == "whatsapp"
        assert session.scalar(select(InboundMessage.channel)) == "whatsapp"
        assert {m.channel for m in session.scalars(select(OutboundMessage))} == {"whatsapp"}


def test_the_same_number_on_whatsapp_and_sms_is_one_participant_in_one_conversation(whatsapp, sms, db):
    whatsapp("AVIS")
    whatsapp("1")
    sms("1")
    with db.session() as session:
        assert len(session.scalars(select(Participant)).all()) == 1
        assert len(session.scalars(select(Conversation)).all()) == 1


def test_the_export_counts_whatsapp_as_its_own_channel(whatsapp, runner):
    whatsapp("AVIS")
    rows = list(csv.DictReader(io.StringIO(runner.invoke(args=["export", "access-barriers", "--format", "csv"]).output)))
    assert [row["channel"] for row in rows] == ["whatsapp"]


def test_a_message_we_start_goes_with_whatsapp_addresses(settings, fake_twilio):
    WhatsAppSender.from_config(settings).send(PHONE, "Bonjour, la mairie a agi", message_id=3)
    assert fake_twilio.sent[0].form == {
        "To": f"whatsapp:{PHONE}", "From": f"whatsapp:{WHATSAPP_FROM}", "Body": "Bonjour, la mairie a agi",
        "StatusCallback": "https://palabre.example.org/sms/twilio/status"}


def test_with_a_template_the_text_goes_as_its_variable(settings, fake_twilio):
    WhatsAppSender.from_config(settings.replace(WHATSAPP_TEMPLATE_SID=TEMPLATE)).send(PHONE, "Vous avez dit : « loin »", 3)
    form = fake_twilio.sent[0].form
    assert "Body" not in form and form["ContentSid"] == TEMPLATE
    assert json.loads(form["ContentVariables"]) == {"1": "Vous avez dit : « loin »"}
    assert fake_twilio.sent[0].account == ACCOUNT_SID


def test_without_a_whatsapp_sender_it_says_which_setting_is_missing(settings):
    with pytest.raises(ChannelNotConfigured, match="TWILIO_WHATSAPP_FROM or TWILIO_MESSAGING_SERVICE_SID"):
        WhatsAppSender.from_config(settings.replace(TWILIO_WHATSAPP_FROM=None))


def test_outside_24_hours_only_a_template_may_start_a_conversation(whatsapp, db, settings):
    whatsapp("AVIS")
    with db.session() as session:
        who, wrote = session.execute(select(InboundMessage.participant_id, InboundMessage.received_at)).one()
        assert refusal(session, settings, who, wrote + timedelta(hours=23)) is None
        assert refusal(session, settings, who, wrote + timedelta(hours=25)) == NO_TEMPLATE
        assert refusal(session, settings.replace(WHATSAPP_TEMPLATE_SID=TEMPLATE), who, wrote + timedelta(hours=25)) is None


def test_a_whatsapp_message_twilio_sends_twice_is_stored_and_answered_once(loaded, client, db):
    form = payload("inbound_whatsapp", Body="AVIS", From=f"whatsapp:{PHONE}", MessageSid="SM" + "7" * 32)
    first, again = (post_signed(client, "/sms/twilio", form) for _ in range(2))
    assert first.status_code == again.status_code == 200
    assert twiml_messages(first) and twiml_messages(again) == []
    with db.session() as session:
        assert len(session.scalars(select(InboundMessage)).all()) == 1


@pytest.mark.parametrize("sender", ["whatsapp:", "whatsapp:not-a-number", "WhatsApp:+12", "whatsapp:+" + "9" * 40])
def test_a_malformed_whatsapp_sender_gets_a_quiet_answer_and_nothing_is_stored(loaded, client, db, sender):
    response = post_signed(client, "/sms/twilio", payload("inbound_whatsapp", From=sender, MessageSid="SM" + "8" * 32))
    assert response.status_code in (200, 400)
    with db.session() as session:
        assert session.scalars(select(Participant)).all() == []
