"""GET /healthz tells a load balancer whether each part answers."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import datetime, timedelta, timezone

import pytest
import redis
from rq import Queue, Worker

from app import create_app
from palabre import health
from workers.queue import Queues

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


# --- The jobs: a send queue no worker consumes means citizens wait for replies that never leave.


@pytest.fixture
def send_queue(monkeypatch):
    """A send queue of this test's own (other runs may share the Redis database), emptied afterwards."""
    name = f"send-test-{secrets.token_hex(4)}"
    monkeypatch.setattr(health, "SEND_QUEUE", name)
    queue = Queue(name, connection=redis.Redis.from_url(REDIS_URL))
    yield queue
    queue.delete(delete_jobs=True)


@pytest.fixture
def send_worker(send_queue):
    """A worker registered on the send queue, as `rq worker` does at start (its heartbeat key in Redis)."""
    worker = Worker([send_queue], connection=send_queue.connection, name=f"health-test-{secrets.token_hex(4)}")
    worker.register_birth()
    yield worker
    worker.register_death()


def _redis_client(settings):
    return create_app(settings.replace(REDIS_URL=REDIS_URL)).test_client()


def test_the_health_check_watches_the_queue_replies_go_out_on():
    assert health.SEND_QUEUE == Queues.SEND


def test_degraded_when_no_worker_consumes_the_send_queue(settings, send_queue):
    response = _redis_client(settings).get("/healthz")
    assert response.status_code == 200  # the web still takes webhooks: a load balancer must keep it
    assert response.json["status"] == "degraded"
    assert response.json["redis"] == "ok" and response.json["workers"] == "none"


def test_ok_with_a_registered_worker_and_a_fresh_queue(settings, send_worker, send_queue):
    send_queue.enqueue(len, "just queued")
    response = _redis_client(settings).get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["workers"] == "ok" and response.json["send_queue"] == "ok"


def test_degraded_when_the_oldest_send_job_waits_too_long(settings, send_worker, send_queue):
    job = send_queue.enqueue(len, "stuck")
    job.enqueued_at = datetime.now(timezone.utc) - timedelta(seconds=health.SEND_QUEUE_LATE_SECONDS + 60)
    job.save()
    send_queue.enqueue(len, "fresh behind it")
    response = _redis_client(settings).get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "degraded"
    assert response.json["workers"] == "ok" and response.json["send_queue"] == "late"
    assert response.json["send_queue_oldest_seconds"] >= health.SEND_QUEUE_LATE_SECONDS + 60


def test_a_part_down_is_503_and_says_down(settings):
    client = create_app(settings.replace(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["status"] == "down"
