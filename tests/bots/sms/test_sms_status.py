"""POST /sms/twilio/status: signed delivery reports move a sent message forward, never back."""

from __future__ import annotations

import pytest

from fakes.twilio_requests import payload, post_signed
from models import OutboundMessage, Participant

SID = "SM" + "1" * 32


@pytest.fixture
def sent(loaded, db, now):
    """A message the worker handed to Twilio, which answered with SID."""
    with db.session() as session:
        person = Participant(pseudonym="p" * 24, created_at=now)
        session.add(person)
        session.flush()
        message = OutboundMessage(participant_id=person.id, channel="sms", kind="invitation", text="Bonjour", status="sent",
                                  external_id=SID, created_at=now, sent_at=now)
        session.add(message)
        session.commit()
        return message.id


def report(client, status: str, sid: str = SID, **fields: str):
    return post_signed(client, "/sms/twilio/status", payload("status_callback", MessageSid=sid, MessageStatus=status, SmsStatus=status, **fields))


def status_of(db, message_id: int) -> tuple[str, str | None]:
    with db.session() as session:
        message = session.get(OutboundMessage, message_id)
        return message.status, message.error


@pytest.mark.parametrize("reported, stored", [
    ("delivered", ("delivered", None)),
    ("read", ("delivered", None)),
    ("sent", ("sent", None)),
    ("queued", ("sent", None)),  # never back to "queued": the worker would send it again
    ("sending", ("sent", None)),
    ("accepted", ("sent", None)),
    ("something-new", ("sent", None)),
])
def test_a_status_report_updates_the_message(client, db, sent, reported, stored):
    response = report(client, reported)
    assert response.status_code == 200
    assert status_of(db, sent) == stored


@pytest.mark.parametrize("reported", ["undelivered", "failed"])
def test_a_failure_keeps_twilio_s_error_code(client, db, sent, reported):
    assert report(client, reported, ErrorCode="30003").status_code == 200
    assert status_of(db, sent) == (reported, f"Twilio {reported}, error 30003")


def test_reports_arriving_out_of_order_never_move_a_message_back(client, db, sent):
    report(client, "delivered")
    report(client, "sent")
    report(client, "queued")
    assert status_of(db, sent) == ("delivered", None)


def test_an_unknown_sid_is_acknowledged_and_ignored(client, db, sent):
    assert report(client, "delivered", sid="SM" + "9" * 32).status_code == 200
    assert status_of(db, sent) == ("sent", None)


def test_an_unsigned_report_is_refused(client, db, sent):
    response = client.post("/sms/twilio/status", data=payload("status_callback", MessageSid=SID, MessageStatus="failed"))
    assert response.status_code == 403
    assert status_of(db, sent) == ("sent", None)


@pytest.mark.parametrize("missing", ["MessageSid", "MessageStatus"])
def test_a_report_missing_a_field_is_a_400(client, db, sent, missing):
    response = post_signed(client, "/sms/twilio/status", payload("status_callback", **{missing: None}))
    assert response.status_code == 400 and missing.encode() in response.data
