"""Messages that may have gone out or not are shown to officials, in French and English, for someone to check."""

from __future__ import annotations

import re


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.data.decode())


def test_officials_see_the_messages_whose_fate_is_unknown(analyst, db, settings, now):
    from models import OutboundMessage
    from palabre.identity import TEL
    from palabre.inbound import find_or_create_participant

    with db.session() as session:
        person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, "+447700900001", now)
        for status in ("sent", OutboundMessage.UNKNOWN, OutboundMessage.UNKNOWN):
            session.add(OutboundMessage(participant_id=person.id, channel="sms", kind="invitation", text="Bonjour", status=status,
                                        attempts=1, created_at=now, error="no answer from Twilio (ReadTimeout); it may have been sent"))
        session.commit()
    english = _text(analyst.get("/dashboard/?lang=en"))
    assert "2 may have gone out or not: the platform did not answer." in english and "python app.py outbox status" in english
    french = _text(analyst.get("/dashboard/?lang=fr"))
    assert "2 sont peut-être partis, peut-être pas" in french
    assert "900001" not in english + french


def test_no_word_of_it_when_every_message_had_an_answer(analyst):
    assert "may have gone out" not in _text(analyst.get("/dashboard/?lang=en"))
