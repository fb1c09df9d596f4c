"""A number sending hundreds of SMS a minute (an auto-responder loop, a script) is throttled; others are not."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from models import InboundMessage, OutboundMessage
from palabre.flood import SENDER_MESSAGES_PER_MINUTE

LOOPING, CALM = "+447700900051", "+447700900052"


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_flooding_number_is_throttled_while_another_citizen_is_answered(sms, db, caplog):
    caplog.set_level(logging.INFO)
    answered = [sms("AVIS" if i == 0 else "?", sender=LOOPING)[1] for i in range(SENDER_MESSAGES_PER_MINUTE)]
    assert all(answered), "every message within the limit gets its reply"
    stored = count(db, InboundMessage), count(db, OutboundMessage)

    response, replies = sms("?", sender=LOOPING)

    assert response.status_code == 200, "Twilio must not retry a throttled message"
    assert replies == [], "no reply: a loop with an auto-responder stops costing SMS"
    assert (count(db, InboundMessage), count(db, OutboundMessage)) == stored, "nothing stored for it"
    assert sms("AVIS", sender=CALM)[1], "another citizen, the same minute, is answered"
    throttled = [r.getMessage() for r in caplog.records if "throttled" in r.getMessage()]
    assert len(throttled) == 1, "logged once, not once per message"
    assert LOOPING not in caplog.text and LOOPING[1:] not in caplog.text
