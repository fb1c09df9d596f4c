"""The path every channel shares: participant, idempotency, opt-out, resume, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from flows.events import Ask, OptedOut, Say
from models import Answer, ChannelAddress, Consultation, Conversation, InboundMessage, Participant
from palabre.consultations import set_status
from palabre.identity import TEL, TELEGRAM
from palabre.inbound import NOTHING_OPEN, Inbound, handle_inbound

PHONE = "+447700900001"


@pytest.fixture
def send(loaded, db, settings, now):
    """Send one message as a citizen and return the outcome; each call is its own transaction."""
    clock = {"now": now}

    def _send(text, address=PHONE, channel="sms", scheme=TEL, external_id=None, advance=60, **extra):
        clock["now"] += timedelta(seconds=advance)
        inbound = Inbound(channel=channel, scheme=scheme, address=address, text=text, external_id=external_id, **extra)
        with db.session() as session:
            outcome = handle_inbound(session, settings, inbound, clock["now"])
            session.commit()
        return outcome

    _send.clock = clock
    return _send


def last_ask(outcome) -> Ask:
    return [e for e in outcome.events if isinstance(e, Ask)][-1]


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def answers_of(db) -> dict:
    with db.session() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}


def test_a_keyword_starts_the_consultation_and_the_next_message_answers(send, db):
    first = send("AVIS")
    assert last_ask(first).question_id == "lang"
    second = send("2")
    assert last_ask(second).question_id == "consent"
    assert answers_of(db) == {"lang": "en"}


def test_participants_are_pseudonymous_and_the_number_is_kept_only_to_reply(send, db):
    send("AVIS")
    with db.session() as session:
        participant = session.scalar(select(Participant))
        address = session.scalar(select(ChannelAddress))
    assert PHONE not in participant.pseudonym and len(participant.pseudonym) == 24
    assert address.address == PHONE and PHONE not in address.address_hash
    assert PHONE not in repr(participant) and PHONE not in repr(address)


def test_a_repeated_message_id_changes_nothing(send, db):
    send("AVIS", external_id="SM1")
    send("1", external_id="SM2")
    again = send("1", external_id="SM2")
    assert again.duplicate and again.events == []
    assert count(db, InboundMessage) == 2
    assert answers_of(db) == {"lang": "fr"}


def test_stop_is_honoured_at_once_and_for_good(send, db):
    send("AVIS")
    send("1")
    stopped = send("STOP")
    assert any(isinstance(e, OptedOut) for e in stopped.events)
    assert stopped.finished
    for text in ("oui", "AVIS", "2"):
        assert send(text, external_id=f"after-{text}").events == []
    assert answers_of(db) == {"lang": "fr"}
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out
        kept = session.scalars(select(InboundMessage.text).where(InboundMessage.external_id.like("after-%"))).all()
    assert kept == ["", "", ""], "texts sent after STOP must not be stored"


def test_stop_outside_any_conversation_opts_out_too(send, db):
    outcome = send("arrêt")
    assert any(isinstance(e, OptedOut) for e in outcome.events)
    assert send("AVIS").events == []
    assert count(db, Conversation) == 0


def test_start_opts_back_in_and_resumes_where_it_stood(send, db):
    send("AVIS")
    send("1")
    send("STOP")
    back = send("START")
    assert last_ask(back).question_id == "consent"
    assert any(isinstance(e, Say) and e.key == "opted_in" for e in back.events)
    send("oui")
    assert answers_of(db) == {"lang": "fr", "consent": "yes"}


def test_a_new_usSD_session_resumes_the_same_question_and_sms_can_finish_it(send, db):
    send("", channel="ussd", new_session=True)
    send("1", channel="ussd")
    send("1", channel="ussd")  # consent: oui
    dialled_again = send("", channel="ussd", new_session=True, advance=600)
    assert [e.key for e in dialled_again.events if isinstance(e, Say)] == ["resumed"]
    assert last_ask(dialled_again).question_id == "district"
    by_sms = send("nord", channel="sms")
    assert last_ask(by_sms).question_id == "gender"
    assert count(db, Participant) == 1 and count(db, Conversation) == 1
    assert answers_of(db)["district"] == "nord"


def test_telegram_and_phone_are_different_participants_until_linked(send, db):
    send("AVIS")
    send("/start", address="123456", channel="telegram", scheme=TELEGRAM)
    assert count(db, Participant) == 2


def test_an_idle_conversation_expires_and_a_new_message_starts_afresh(send, db, settings):
    send("AVIS")
    send("1")
    later = send("AVIS", advance=int(settings.CONVERSATION_IDLE_HOURS * 3600) + 60)
    assert last_ask(later).question_id == "lang"
    with db.session() as session:
        statuses = sorted(session.scalars(select(Conversation.status)))
    assert statuses == ["active", "expired"]


def test_stop_after_an_idle_conversation_opts_out_and_its_text_is_not_kept(send, db, settings):
    send("AVIS", external_id="SM1")
    send("1", external_id="SM2")
    stopped = send("STOP", external_id="SM3", advance=int(settings.CONVERSATION_IDLE_HOURS * 3600) + 60)
    assert any(isinstance(e, OptedOut) for e in stopped.events)
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out
        texts = dict(session.execute(select(InboundMessage.external_id, InboundMessage.text)).all())
        linked = session.scalar(select(InboundMessage.participant_id).where(InboundMessage.external_id == "SM3"))
        statuses = sorted(session.scalars(select(Conversation.status)))
    assert texts == {"SM1": "AVIS", "SM2": "1", "SM3": ""} and linked == stopped.participant_id
    assert statuses == ["expired"]


def test_after_a_fresh_start_answers_go_to_the_new_conversation_not_the_expired_one(send, db, settings):
    send("AVIS")
    send("1")
    send("AVIS", advance=int(settings.CONVERSATION_IDLE_HOURS * 3600) + 60)
    answered = send("2")  # English, in the new conversation
    assert answered.language == "en" and last_ask(answered).question_id == "consent"
    with db.session() as session:
        by_status = {c.status: c for c in session.scalars(select(Conversation))}
        kept = {c.status: sorted(a.question_id for a in c.answers) for c in by_status.values()}
    assert answered.conversation_id == by_status["active"].id
    assert kept == {"expired": ["lang"], "active": ["lang"]} and by_status["expired"].language == "fr"


def test_only_the_latest_conversation_is_ever_continued(send, db, now):
    first = send("AVIS")
    with db.session() as session:  # a later conversation, finished (as one merged from another channel could be)
        older = session.get(Conversation, first.conversation_id)
        session.add(Conversation(response_id="later", participant_id=older.participant_id, consultation_id=older.consultation_id,
                                 channel="telegram", language="fr", status="completed", state=older.state,
                                 started_at=now, last_activity_at=now, completed_at=now))
        session.commit()
    outcome = send("1")
    assert outcome.conversation_id not in (first.conversation_id, None)
    assert last_ask(outcome).question_id == "lang", "a new conversation, not an answer to the older one"
    assert count(db, Answer, Answer.conversation_id == first.conversation_id) == 0


def test_a_completed_conversation_is_stored_with_its_completion_time(send, db):
    for text in ["AVIS", "2", "yes", "north", "woman", "70", "1", "2h", "4", "3", "4", "2", "4", "1", "skip"]:
        outcome = send(text)
    assert outcome.finished
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.status == "completed" and conversation.completed_at is not None
    assert conversation.language == "en"
    answers = answers_of(db)
    assert answers["travel_minutes"] == 120 and answers["helper"] == ["nobody"] and "comment" not in answers


def test_nothing_open_gets_a_clear_answer(send, db):
    with db.session() as session:
        for consultation in session.scalars(select(Consultation)):
            set_status(session, consultation, "closed")
        session.commit()
    outcome = send("AVIS")
    assert [e.text for e in outcome.events] == [NOTHING_OPEN]
    assert count(db, Conversation) == 0


def test_garbage_first_messages_still_start_the_default_consultation(send):
    for i, text in enumerate(["", "\x00\x01", "🙂" * 50, "'; DROP TABLE answers; --", "<script>x</script>", "x" * 5000]):
        outcome = send(text, address=f"+4477009000{10 + i}")
        assert last_ask(outcome).question_id == "lang", text


def test_nul_and_control_characters_are_dropped_before_anything_is_stored(send, db):
    send("AVIS", external_id="SM\x00nul")
    send("\x001\x07", external_id="SM-2")
    assert answers_of(db) == {"lang": "fr"}
