"""A PostgreSQL restart (or an idle timeout) closes pooled connections: the next citizen must not notice.

SQLite has no server to close anything, so this test runs on PostgreSQL in both suites: on a
database of its own, created and dropped here (.ci/run starts PostgreSQL).
"""

from __future__ import annotations

import os
import secrets
import time

import psycopg
import pytest
from sqlalchemy import select

from app import create_app
from fakes.twilio_requests import payload, post_signed, twiml_messages
from models import Answer
from palabre.consultations import load_library
from palabre.config import ROOT
from palabre.db import Database
from palabre.schema import upgrade

SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
def database_name():
    """An empty PostgreSQL database of this run's own, dropped afterwards."""
    # Not a fixed name: runs sharing a server (other checkouts, CI jobs) would drop each other's.
    name = f"palabre_test_restart_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_app(settings, database_name):
    """The app on that database, migrated, with the shipped flows open."""
    url = f"{SERVER.replace('postgresql://', 'postgresql+psycopg://', 1)}/{database_name}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    app = create_app(settings.replace(DATABASE_URL=url))
    with app.extensions["palabre.database"].session() as session:
        load_library(session, ROOT / "flows" / "library")
        session.commit()
    yield app
    app.extensions["palabre.database"].dispose()


def _close_the_pools_connections(name: str) -> int:
    """Have the server end every connection to the test's database, as a restart would."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        pids = [row[0] for row in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the terminated backends did not exit"
            time.sleep(0.05)
    return len(pids)


def test_a_message_after_the_server_closed_pooled_connections_is_answered(postgres_app, database_name):
    client, db = postgres_app.test_client(), postgres_app.extensions["palabre.database"]
    first = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="AVIS", MessageSid="SM" + "1" * 32))
    assert twiml_messages(first)[-1].startswith("Langue / Language?")
    assert db.engine.pool.checkedin() >= 1  # the webhook's connection waits in the pool
    assert _close_the_pools_connections(database_name) >= 1

    second = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="1", MessageSid="SM" + "2" * 32))

    assert second.status_code == 200
    assert "indisponible" not in second.get_data(as_text=True)  # not 'service unavailable, send it again'
    assert "Acceptez-vous de répondre" in twiml_messages(second)[-1]
    with db.session() as session:
        assert session.scalars(select(Answer.value).where(Answer.question_id == "lang")).one() == "fr"
