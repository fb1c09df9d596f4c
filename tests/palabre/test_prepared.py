"""Prepared statements: SQLAlchemy's values and errors without its per-execution layer."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from models import Participant
from palabre.prepared import Prepared, _cursor

_participants = Participant.__table__
ADD = Prepared(insert(_participants).returning(_participants.c.id, _participants.c.created_at))


def test_values_go_in_and_come_back_as_sqlalchemy_types_them(db, now):
    with db.session() as session:
        rows = ADD.execute(session.connection(), {"pseudonym": "p-one", "created_at": now})
        session.commit()
    [(participant_id, created_at)] = rows
    assert created_at == now and created_at.tzinfo is not None  # UTC datetimes on SQLite too
    with db.session() as session:
        assert session.scalar(select(Participant.pseudonym).where(Participant.id == participant_id)) == "p-one"


def test_a_statement_first_on_a_bare_connection_is_in_the_transaction_its_commit_commits(db, now):
    with db.engine.connect() as connection:  # no Session, no begin(): the prepared statement is the first
        [(participant_id, _)] = ADD.execute(connection, {"pseudonym": "p-bare", "created_at": now})
        assert connection.in_transaction()
        connection.commit()
    with db.session() as session:
        assert session.scalar(select(Participant.pseudonym).where(Participant.id == participant_id)) == "p-bare"


def test_a_driver_error_is_sqlalchemys_so_the_webhooks_answer_unavailable(db, now):
    with db.session() as session:
        ADD.execute(session.connection(), {"pseudonym": "p-twice", "created_at": now})
        with pytest.raises(IntegrityError) as raised:
            ADD.execute(session.connection(), {"pseudonym": "p-twice", "created_at": now})
        session.rollback()
    assert raised.value.hide_parameters and "INSERT INTO participants" in str(raised.value)


def test_each_statement_keeps_its_own_cursor_and_statements_interleave(db, now):
    find = Prepared(select(_participants.c.id).where(_participants.c.pseudonym == bindparam("pseudonym")))
    with db.session() as session:
        connection = session.connection()
        [(first, _)] = ADD.execute(connection, {"pseudonym": "p-a", "created_at": now})
        cursor = _cursor(connection, ADD)
        assert find.execute(connection, {"pseudonym": "p-a"}) == [(first,)]
        [(second, _)] = ADD.execute(connection, {"pseudonym": "p-b", "created_at": now})
        assert find.execute(connection, {"pseudonym": "p-b"}) == [(second,)]
        assert _cursor(connection, ADD) is cursor and _cursor(connection, find) is not cursor
        session.rollback()


def test_a_value_the_statement_needs_and_nobody_passes_is_named():
    with pytest.raises(ValueError, match="created_at"):  # a Python-side default SQLAlchemy would have computed
        Prepared(insert(_participants)).execute(_SQLiteConnection(), {"pseudonym": "p"})


class _SQLiteConnection:
    """Enough of a connection to compile for SQLite: the error comes before any database is reached."""

    dialect = sqlite.dialect()
