"""Garbage, forgeries and races at the Africa's Talking webhook: never a 500, data stays consistent."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bots.ussd import BAD_NUMBER, UNAVAILABLE
from fakes.ussd_requests import AT_PATH, SECRET, AtSession, at_payload, count_rows, post_at, stored_answers
from models import Answer, ChannelAddress, Conversation, InboundMessage, Participant

URL = f"{AT_PATH}?secret={SECRET}"


def raw_post(client, body: bytes):
    response = client.post(URL, data=body, content_type="application/x-www-form-urlencoded")
    return response.status_code, response.get_data(as_text=True)


def at_comment(dial) -> AtSession:
    """A citizen at the free-text comment question of the shipped consultation."""
    citizen = dial()
    citizen.dial()
    for text in ["1", "1", "2", "1", "67", "2", "90", "4", "3", "4", "2", "1 2", "1"]:
        citizen.send(text)
    return citizen


@pytest.mark.parametrize(("form", "missing"), [
    ({}, "sessionId"),
    ({"sessionId": None}, "sessionId"),
    ({"sessionId": "   "}, "sessionId"),
    ({"phoneNumber": None}, "phoneNumber"),
    ({"phoneNumber": ""}, "phoneNumber"),
    ({"text": None}, "text"),
])
def test_a_request_missing_a_field_gets_400_naming_it(loaded, client, db, form, missing):
    fields = at_payload(**form) if form else {}
    reply = post_at(client, fields)
    assert reply.status == 400 and f"missing field {missing}" in reply.body
    assert count_rows(db, InboundMessage) == 0


def test_an_empty_body_and_undecodable_bytes_get_400(loaded, client, db):
    assert raw_post(client, b"")[0] == 400
    # Invalid UTF-8 makes werkzeug drop the whole form: the fields are missing.
    status, body = raw_post(client, b"sessionId=ATUid_1&phoneNumber=%2B447700900101&text=\xff\xfe\xfd")
    assert status == 400 and "missing field" in body
    assert count_rows(db, InboundMessage) == 0


def test_a_body_beyond_the_app_limit_gets_413(loaded, client, db):
    status, _ = raw_post(client, b"sessionId=ATUid_big&phoneNumber=%2B447700900101&text=" + b"1" * 70_000)
    assert status == 413 and count_rows(db, InboundMessage) == 0


def test_malformed_percent_escapes_are_just_text(dial, client, db):
    citizen = dial()
    citizen.dial()
    status, body = raw_post(client, f"sessionId={citizen.session_id}&phoneNumber=%2B447700900101&text=%FF%FE".encode())
    assert status == 200 and body.startswith("CON Reponse non comprise")


@pytest.mark.parametrize("session_id", ["A" * 81, "ATUid_\nnext", "ATUid_\x00"])
def test_a_session_id_that_cannot_be_one_gets_400(loaded, client, session_id):
    reply = post_at(client, at_payload(sessionId=session_id))
    assert reply.status == 400 and "sessionId" in reply.body


@pytest.mark.parametrize("phone", ["not-a-number", "+1", "12", "+44770090010" + "1" * 30, "+44 abc def", "🙂"])
def test_a_malformed_phone_number_ends_the_session_with_a_clear_word(loaded, client, db, phone):
    reply = post_at(client, at_payload(phoneNumber=phone))
    assert reply.status == 200 and reply.body == "END " + BAD_NUMBER
    assert count_rows(db, Participant) == 0 and count_rows(db, InboundMessage) == 0


def test_an_unknown_but_valid_number_is_a_new_citizen(dial, db):
    assert dial("+447700900199").dial().body.startswith("CON Mairie")
    assert count_rows(db, Participant) == 1


@pytest.mark.parametrize("text", [
    "x" * 5000, "1*" * 2500, "\x00\x01\x02\x1b[31m", "🙂🙂🙂", "'; DROP TABLE answers; --",
    "<script>alert(1)</script>", "%00%0a", "\u202eevil", "98*98*98*98",
])
def test_garbage_inputs_get_a_re_prompt_never_a_500(dial, db, text):
    citizen = dial()
    citizen.dial()
    reply = citizen.send(text)
    assert reply.status == 200 and reply.body.startswith("CON ")
    assert len(reply.screen) <= 182 and reply.screen.isascii()
    assert count_rows(db, Answer) == 0


def test_free_text_is_stored_as_typed_minus_control_characters(dial, db):
    citizen = at_comment(dial)
    reply = citizen.send("<b>Bus</b>\x00 'gratuit'; -- 🙂")
    assert reply.end
    assert stored_answers(db)["comment"] == "<b>Bus</b> 'gratuit'; -- 🙂"
    with db.session() as session:
        stored = session.scalars(select(InboundMessage.text)).all()
    assert all("\x00" not in text for text in stored)


def test_a_5000_character_answer_is_cut_and_the_session_goes_on(dial, db):
    citizen = at_comment(dial)
    assert citizen.send("y" * 5000).end
    assert len(stored_answers(db)["comment"]) == 1600


def test_a_database_failure_ends_the_session_politely(dial, monkeypatch):
    citizen = dial()

    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("database is down"))

    monkeypatch.setattr("bots.ussd.find_participant", broken)
    reply = citizen.dial()
    assert reply.status == 200 and reply.body == "END " + UNAVAILABLE


def run_together(requests) -> list:
    """Send requests from separate threads at the same moment; return the replies."""
    barrier = threading.Barrier(len(requests))
    replies: list = [None] * len(requests)

    def worker(index, send):
        barrier.wait()
        replies[index] = send()

    threads = [threading.Thread(target=worker, args=(i, send)) for i, send in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return replies


def test_concurrent_copies_of_one_request_are_handled_once(loaded, app, db):
    session_id = "ATUid_concurrent"
    first = run_together([_request(app, session_id, "") for _ in range(6)])
    assert {reply.status for reply in first} == {200} and len({reply.body for reply in first}) == 1
    answers = run_together([_request(app, session_id, "1") for _ in range(6)])
    assert {reply.status for reply in answers} == {200} and len({reply.body for reply in answers}) == 1
    assert answers[0].screen.startswith("Vos reponses restent anonymes")
    assert stored_answers(db) == {"lang": "fr"}
    assert count_rows(db, InboundMessage) == 2 and count_rows(db, Conversation) == 1
    assert count_rows(db, Participant) == 1 and count_rows(db, ChannelAddress) == 1


def test_concurrent_sessions_of_different_citizens_do_not_mix(loaded, app, db):
    phones = [f"+4477009002{i:02d}" for i in range(6)]
    run_together([_request(app, f"ATUid_many{i}", "", phone) for i, phone in enumerate(phones)])
    replies = run_together([_request(app, f"ATUid_many{i}", str(1 + i % 2), phone) for i, phone in enumerate(phones)])
    assert {reply.status for reply in replies} == {200}
    with db.session() as session:
        values = sorted(session.scalars(select(Answer.value)).all())
    assert values == ["en", "en", "en", "fr", "fr", "fr"]


def _request(app, session_id: str, text: str, phone: str = "+447700900101"):
    return lambda: post_at(app.test_client(), at_payload(sessionId=session_id, phoneNumber=phone, text=text))
