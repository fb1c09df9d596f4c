"""Callback mode and invitations by call: a ring is rejected (free) and called back once; the opted out never."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fakes.twilio_requests import FROM_NUMBER, PUBLIC_BASE_URL, payload, post_signed
from fakes.twilio_voice import Call
from models import Conversation, OutboundMessage, Participant

PHONE = "+447700900001"
# Numbers we invite must exist (libphonenumber's is_valid_number): Senegal's and Kenya's mobile examples.
INVITED, STOPPED = "+221771234567", "+254712345678"


@pytest.fixture
def settings(settings):
    return settings.replace(VOICE_CALLBACK=True)


def calls(db) -> list[OutboundMessage]:
    with db.session() as session:
        return list(session.scalars(select(OutboundMessage).where(OutboundMessage.channel == "voice", OutboundMessage.kind != "reply")))


def test_a_ring_is_rejected_as_busy_and_called_back_once(call, fake_twilio, db):
    ring = call()
    twiml = ring.answer()
    assert twiml.rejected == "busy" and twiml.gather is None
    assert len(fake_twilio.calls) == 1
    placed = fake_twilio.calls[0].form
    assert placed["To"] == PHONE and placed["From"] == FROM_NUMBER
    assert placed["Url"] == PUBLIC_BASE_URL + "/voice/twilio" and placed["StatusCallback"] == PUBLIC_BASE_URL + "/voice/twilio/status"
    assert ring.answer().rejected == "busy"  # Twilio retried the same ring
    assert call(sid="CA" + "7" * 32).answer().rejected == "busy"  # rang again while the call back is under way
    assert len(fake_twilio.calls) == 1
    [message] = calls(db)
    assert (message.status, message.external_id, message.kind) == ("sent", fake_twilio.calls[0].sid, "callback")


def test_the_call_back_runs_the_consultation(call, fake_twilio, db, client):
    call().answer()
    back = Call(client, PHONE, direction="outbound-api", sid=fake_twilio.calls[0].sid)
    twiml = back.answer()
    assert twiml.said[0].startswith("Mairie: 14 questions") and twiml.gather is not None
    assert "Do you agree to answer?" in back.press("2").text
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.channel == "voice" and conversation.language == "en"


def test_once_the_call_ended_a_new_ring_is_called_back_again(call, fake_twilio, db, client):
    call().answer()
    status = payload("voice_status", CallSid=fake_twilio.calls[0].sid, CallStatus="no-answer")
    assert post_signed(client, "/voice/twilio/status", status).status_code == 200
    assert calls(db)[0].status == "undelivered"
    call(sid="CA" + "8" * 32).answer()
    assert len(fake_twilio.calls) == 2


def test_an_opted_out_caller_is_rejected_and_never_called_back(call, fake_twilio, db, settings, app):
    app.extensions["palabre.config"] = settings.replace(VOICE_CALLBACK=False)
    first = call()
    first.answer()
    first.press("9")  # never call me again
    app.extensions["palabre.config"] = settings
    assert call(sid="CA" + "6" * 32).answer().rejected == "busy"
    assert fake_twilio.calls == [] and calls(db) == []


def test_invite_by_voice_calls_each_number_once_and_never_the_opted_out(call, fake_twilio, db, runner, tmp_path, client, app, settings):
    app.extensions["palabre.config"] = settings.replace(VOICE_CALLBACK=False)
    stopped = call(phone=STOPPED)
    stopped.answer()
    stopped.press("9")
    numbers = tmp_path / "numbers.csv"
    numbers.write_text(f"phone\n{INVITED}\n{STOPPED}\n{INVITED}\n")
    result = runner.invoke(args=["invite", "access-barriers", "--numbers", str(numbers), "--channel", "voice"])
    assert result.exit_code == 0, result.output
    assert "1 invited" in result.output and "1 opted out" in result.output
    assert [c.form["To"] for c in fake_twilio.calls] == [INVITED]
    again = runner.invoke(args=["invite", "access-barriers", "--numbers", str(numbers), "--channel", "voice"])
    assert again.exit_code == 0 and len(fake_twilio.calls) == 1  # invited already: not called twice
    picked_up = Call(client, INVITED, direction="outbound-api", sid=fake_twilio.calls[0].sid).answer()
    assert picked_up.gather is not None and picked_up.said[0].startswith("Mairie")


def test_a_refused_call_is_retried_later_not_lost(call, fake_twilio, db):
    fake_twilio.fail_next(1, "500")
    assert call().answer().rejected == "busy"
    [message] = calls(db)
    assert message.status == "queued" and message.next_attempt_at is not None
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out_at is None
