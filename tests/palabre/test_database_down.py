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
