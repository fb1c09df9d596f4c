"""With the database unreachable, callers get 503 and a reason (Telegram then resends), never a 500."""

from __future__ import annotations

import socket

from app import create_app
from fakes.telegram_updates import SECRET, SECRET_HEADER, load_update


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_webhooks_and_pages_answer_503_when_the_database_is_down(settings, caplog):
    down = create_app(settings.replace(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing",
                                       TELEGRAM_BOT_TOKEN="123:ABC", TELEGRAM_WEBHOOK_SECRET=SECRET))
    client = down.test_client()
    telegram = client.post("/telegram/webhook", json=load_update("text"), headers={SECRET_HEADER: SECRET})
    assert telegram.status_code == 503 and telegram.headers["Retry-After"] == "30"
    assert "database is unavailable" in telegram.get_data(as_text=True)
    page = client.get("/results/access-barriers")
    assert page.status_code == 503
    api = client.get("/api/v1/consultations", headers={"Authorization": "Bearer x"})  # tokens live in the database
    assert api.status_code == 503 and api.json["error"].startswith("The database is unavailable")
    assert "unhandled" not in caplog.text


def test_a_rollback_failing_at_the_end_of_a_request_is_logged_not_a_500(loaded, db, client, monkeypatch, caplog):
    """The database restarts just as a page is done: the page is served, the connection is not leaked."""
    dbapi_error = db.engine.dialect.loaded_dbapi.OperationalError

    def rollback_fails(_connection):
        raise dbapi_error("server closed the connection unexpectedly")

    monkeypatch.setattr(db.engine.dialect, "do_rollback", rollback_fails)
    page = client.get("/results/access-barriers")
    monkeypatch.undo()
    assert page.status_code == 200
    assert "unhandled" not in caplog.text and "OperationalError" in caplog.text
    assert db.engine.pool.checkedout() == 0
    assert client.get("/results/access-barriers").status_code == 200


def test_a_request_whose_database_dies_gets_503_even_when_the_rollback_fails_too(loaded, db, client, monkeypatch, caplog):
    dbapi_error = db.engine.dialect.loaded_dbapi.OperationalError

    def fails(*_args, **_kwargs):
        raise dbapi_error("server closed the connection unexpectedly")

    def queries_fail(cursor, statement, parameters, context=None):
        if statement.lstrip().upper().startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE: the transaction starts
            return cursor.execute(statement, parameters)
        fails()

    monkeypatch.setattr(db.engine.dialect, "do_execute", queries_fail)
    monkeypatch.setattr(db.engine.dialect, "do_rollback", fails)
    page = client.get("/results/access-barriers")
    monkeypatch.undo()
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "unhandled" not in caplog.text
    assert db.engine.pool.checkedout() == 0
