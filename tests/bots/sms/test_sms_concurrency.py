"""Messages from one number arriving together, on the real database: each applied once, one after the other."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from fakes.twilio_requests import payload, post_signed, twiml_messages
from models import Answer, Conversation, InboundMessage
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant

PHONE = "+447700900001"


def post_together(app, forms: list[dict]) -> list:
    """POST every form at the same moment, each from its own thread and client; return the responses."""
    barrier = threading.Barrier(len(forms))

    def post(form):
        client = app.test_client()
        barrier.wait()
        return post_signed(client, "/sms/twilio", form)

    with ThreadPoolExecutor(len(forms)) as pool:
        return list(pool.map(post, forms))


def form(body: str, sid: str) -> dict:
    return payload("inbound_sms", Body=body, From=PHONE, MessageSid=sid)


def test_answers_sent_together_are_each_applied_once_in_turn(loaded, db, sms):
    sms("AVIS", sid="SMstart")
    # "1" is a valid answer to each of the first four questions: language, consent, district, gender.
    responses = post_together(loaded, [form("1", f"SMtogether{i}") for i in range(4)])
    assert [r.status_code for r in responses] == [200] * 4
    asked = sorted(twiml_messages(r)[-1].split("\n")[0] for r in responses)
    assert asked == sorted(["Vos réponses restent anonymes et servent à améliorer l'accès aux services. Acceptez-vous de répondre ?",
                            "Dans quel quartier vivez-vous ?", "Vous etes :", "Quel age avez-vous ? (en années)"]), \
        "each message saw the state the one before it left"
    with db.session() as session:
        answers = dict(session.execute(select(Answer.question_id, Answer.value)).all())
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 5
        assert session.scalar(select(Conversation.current_question)) == "age"
    assert answers == {"lang": "fr", "consent": "yes", "district": "centre", "gender": "female"}


def test_one_message_delivered_several_times_at_once_is_answered_once(loaded, db, sms):
    sms("AVIS", sid="SMstart")
    responses = post_together(loaded, [form("2", "SMretried")] * 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert sorted(bool(twiml_messages(r)) for r in responses) == [False, False, False, True]
    with db.session() as session:
        assert session.scalars(select(Answer.value)).all() == ["en"]
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 2


def test_first_messages_sent_together_start_one_conversation(loaded, db, settings, now):
    with db.session() as session:  # known (invited, say) but without any conversation yet
        find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, PHONE, now)
        session.commit()
    responses = post_together(loaded, [form(text, f"SMfirst{i}") for i, text in enumerate(["AVIS", "2", "yes"])])
    assert [r.status_code for r in responses] == [200] * 3
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 3


def test_a_new_number_writing_several_messages_at_once_is_one_participant(loaded, db):
    responses = post_together(loaded, [form(text, f"SMnew{i}") for i, text in enumerate(["AVIS", "2", "yes"])])
    assert [r.status_code for r in responses] == [200] * 3
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalar(select(func.count()).select_from(InboundMessage)) == 3


def test_stop_and_an_answer_together_end_opted_out_whatever_their_order(loaded, db, sms):
    sms("AVIS", sid="SMstart")
    sms("1", sid="SMlang")
    # STOP takes the general path (the opt-out), "1" the lean one: both lock sender then conversation.
    for attempt in range(5):
        responses = post_together(loaded, [form("STOP", f"SMstop{attempt}"), form("1", f"SManswer{attempt}")])
        assert [r.status_code for r in responses] == [200, 200]
        assert all("indisponible" not in r.get_data(as_text=True) for r in responses), "no deadlock, no lost message"
        with db.session() as session:
            assert session.scalar(select(Conversation.status)) == "opted_out"
            consent = session.scalar(select(Answer.value).where(Answer.question_id == "consent"))
        assert consent in (None, "yes"), "answered before the STOP, or never"
        sms("START", sid=f"SMrestart{attempt}")  # back in for the next round
