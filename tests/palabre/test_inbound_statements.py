"""An answer mid-conversation stays a handful of statements: the webhook's throughput rests on it (BENCHMARKS.md)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from palabre.identity import TEL
from palabre.inbound import Inbound, handle_inbound

PHONE = "+447700900001"


@contextmanager
def statements(db):
    """Collect how each data statement starts, as sent to the database (not BEGIN: SQLite's is a statement)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if statement.split()[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
            seen.append(" ".join(statement.split()[:3]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_an_answer_mid_conversation_is_four_statements_and_no_orm_loading_two_on_postgresql(loaded, db, settings, now):
    def send(text, sid, at):
        with db.session() as session:
            outcome = handle_inbound(session, settings, Inbound("sms", TEL, PHONE, text, external_id=sid), at)
            session.commit()
        return outcome

    send("AVIS", "SM1", now)
    with statements(db) as seen:
        outcome = send("1", "SM2", now + timedelta(seconds=30))
    assert outcome.events and not outcome.duplicate
    if db.is_sqlite:
        assert [s.split()[0] for s in seen] == ["SELECT", "INSERT", "INSERT", "UPDATE"], seen
        assert seen[1:] == ["INSERT INTO inbound_messages", "INSERT INTO answers", "UPDATE conversations SET"]
    else:  # PostgreSQL locks the sender and records the message in one statement, and saves the answer and the conversation in one
        assert seen == ["WITH live AS", "WITH answer AS"], seen

    with statements(db) as seen:  # a retried webhook: found out by the message's id, nothing written
        assert send("1", "SM2", now + timedelta(seconds=31)).duplicate
    assert seen == (["SELECT participants.id, conversations.id", "INSERT INTO inbound_messages"] if db.is_sqlite
                    else ["WITH live AS"]), seen
