"""A PostgreSQL restart (or an idle timeout) closes pooled connections: the next citizen must not notice."""

from __future__ import annotations

import time

import psycopg
import pytest

from fakes.twilio_requests import payload, post_signed, twiml_messages
from models import Answer


def _close_the_pools_connections(db) -> int:
    """Have the server end every other connection to the test database, as a restart would."""
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as admin:
        others = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        pids = [row[0] for row in admin.execute(others)]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 10
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the terminated backends did not exit"
            time.sleep(0.05)
    return len(pids)


def test_a_message_after_the_server_closed_pooled_connections_is_answered(loaded, client, db):
    if db.is_sqlite:
        pytest.skip("SQLite has no server to close connections")
    first = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="AVIS", MessageSid="SM" + "1" * 32))
    assert twiml_messages(first)[-1].startswith("Langue / Language?")
    assert db.engine.pool.checkedin() >= 1  # the webhook's connection waits in the pool
    assert _close_the_pools_connections(db) >= 1

    second = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="1", MessageSid="SM" + "2" * 32))

    assert second.status_code == 200
    assert "indisponible" not in second.get_data(as_text=True)  # not 'service unavailable, send it again'
    assert "Acceptez-vous de répondre" in twiml_messages(second)[-1]
    with db.session() as session:
        assert session.query(Answer).filter_by(question_id="lang").one().value == "fr"
