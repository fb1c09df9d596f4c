"""GET /healthz tells a load balancer whether each part answers."""

from __future__ import annotations

import os
import socket

from app import create_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthy_without_redis_configured(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "web": "ok", "database": "ok"}


def test_reports_the_real_redis(settings):
    client = create_app(settings.replace(REDIS_URL=REDIS_URL)).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["redis"] == "ok"


def test_503_when_redis_is_down(settings):
    client = create_app(settings.replace(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == "down" and response.json["database"] == "ok"


def test_503_when_the_database_is_unreachable(settings):
    broken = settings.replace(DATABASE_URL=f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing")
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "down"


def test_home_lists_consultations_without_numbers(loaded, client):
    page = client.get("/")
    assert page.status_code == 200
    assert b"access-barriers" in page.data and b"open" in page.data
