"""One step of a call delivered several times at once (Twilio's retry racing the first): applied once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

from sqlalchemy import func, select

from fakes.twilio_requests import post_signed
from fakes.twilio_voice import Call, Twiml
from models import Answer, InboundMessage

PHONE = "+447700900001"


def test_a_step_posted_four_times_at_once_is_recorded_once_and_each_copy_asks_the_next_question(loaded, client, db):
    call = Call(client, PHONE)
    call.answer()
    call.press("2")  # English
    action = call.action
    form = call._form(CallStatus="in-progress", Digits="1", msg="Gather End")
    barrier = threading.Barrier(4)

    def post(_n):
        own = loaded.test_client()
        barrier.wait()
        return post_signed(own, action, form)

    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(post, range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    asked = {Twiml(200, ElementTree.fromstring(r.data)).gather.find("Say").text for r in responses}
    assert asked == {"Which district do you live in?"}
    with db.session() as session:
        assert dict(session.execute(select(Answer.question_id, Answer.value)).all()) == {"lang": "en", "consent": "yes"}
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 3
