"""`participants erase` and `participants retention`: forgotten means gone from every table, and never contacted again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from models import Answer, ChannelAddress, Consultation, Conversation, InboundMessage, Participant, ProfileSnapshot
from palabre.identity import TEL, pseudonym
from palabre.inbound import Inbound, find_or_create_participant, handle_inbound

PHONE, OTHER = "+447700900011", "+447700900012"


@pytest.fixture
def send(loaded, db, settings, now):
    """Send one SMS as a citizen; each call is its own transaction."""
    clock = {"now": now}

    def _send(body, address=PHONE):
        clock["now"] += timedelta(seconds=60)
        with db.session() as session:
            handle_inbound(session, settings, Inbound(channel="sms", scheme=TEL, address=address, text=body), clock["now"])
            session.commit()

    return _send


def everything_stored(db) -> str:
    """Every value of every table, as one text: where a phone number would show if it were kept."""
    with db.engine.connect() as connection:
        tables = inspect(connection).get_table_names()
        return "\n".join(repr(row) for table in tables for row in connection.execute(text(f'SELECT * FROM "{table}"')))


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_erasure_removes_the_number_answers_and_messages_and_keeps_published_counts(send, db, runner, settings):
    for body in ("AVIS", "1", "1"):
        send(body)
    send("AVIS", address=OTHER)
    with db.session() as session:
        consultation = session.scalar(select(Consultation))
        session.add(ProfileSnapshot(consultation_id=consultation.id, data={"overall": {"n": 120}}, responses=120))
        session.commit()
    assert PHONE in everything_stored(db) and count(db, Answer) > 0
    who = pseudonym(settings.PSEUDONYM_KEY, TEL, PHONE)

    result = runner.invoke(args=["participants", "erase", who])

    assert result.exit_code == 0, result.output
    assert f"Erased participant {who}: 1 address(es), 1 conversation(s)" in result.output
    assert PHONE not in everything_stored(db)
    erased = select(Participant.id).where(Participant.pseudonym == who).scalar_subquery()
    assert count(db, Conversation, Conversation.participant_id == erased) == 0
    assert count(db, InboundMessage, InboundMessage.participant_id == erased) == 0
    assert count(db, Answer) == 0, "the other citizen had given no answer yet"
    assert OTHER in everything_stored(db), "nobody else is touched"
    with db.session() as session:
        assert session.scalar(select(ProfileSnapshot.data)) == {"overall": {"n": 120}}
        assert session.scalar(select(Participant.opted_out_at).where(Participant.pseudonym == who)) is not None


def test_an_erased_number_on_a_new_invitation_list_is_recognised_as_opted_out(send, db, runner, settings, now):
    send("AVIS")
    runner.invoke(args=["participants", "erase", pseudonym(settings.PSEUDONYM_KEY, TEL, PHONE)])
    with db.session() as session:
        again = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, PHONE, now)
        session.commit()
        assert again.opted_out_at is not None, "erasure is also a STOP: the invitation code skips opted-out people"
    assert count(db, Participant) == 1


def test_erasing_an_unknown_pseudonym_says_where_pseudonyms_come_from(loaded, runner):
    result = runner.invoke(args=["participants", "erase", "0123456789abcdef01234567"])
    assert result.exit_code == 1
    assert "No participant has the pseudonym '0123456789abcdef01234567'" in result.output
    assert "'participant' column of an export" in result.output


def test_retention_drops_addresses_only_once_every_consultation_closed_long_ago(send, db, runner, settings):
    send("AVIS")
    send("AVIS", address=OTHER)
    with db.session() as session:
        consultation = session.scalar(select(Consultation))
        consultation.status, consultation.closed_at = "closed", consultation.created_at
        session.commit()
    assert "Dropped 0 phone number(s)" in runner.invoke(args=["participants", "retention", "--days", "100000"]).output
    assert count(db, ChannelAddress) == 2

    result = runner.invoke(args=["participants", "retention", "--days", "0"])

    assert result.exit_code == 0, result.output
    assert "Dropped 2 phone number(s) and chat id(s)" in result.output
    assert PHONE not in everything_stored(db) and OTHER not in everything_stored(db)
    assert count(db, Conversation) == 2, "answers stay, by pseudonym"


def test_an_open_consultation_keeps_its_participants_addresses(send, db, runner):
    send("AVIS")
    result = runner.invoke(args=["participants", "retention", "--days", "0"])
    assert "Dropped 0 phone number(s)" in result.output
    assert count(db, ChannelAddress) == 1


def test_someone_whose_address_was_dropped_writes_again_and_gets_answers(send, db, runner, settings):
    send("AVIS")
    with db.session() as session:
        session.execute(ChannelAddress.__table__.delete())
        session.commit()
    send("1")
    assert count(db, ChannelAddress) == 1, "the address is linked again to the same participant"
    assert count(db, Participant) == 1
