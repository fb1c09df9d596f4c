"""Fixtures for outbound work: a fake Twilio over HTTP, and jobs run inline or by RQ on the real Redis."""

from __future__ import annotations

import os
import secrets

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry, FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry,
)

from fakes.fake_twilio import FakeTwilio
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, CITIZEN, twilio_settings
from models import OutboundMessage
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from palabre.outbound import queue_message
from workers.queue import Queues

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REGISTRIES = (ScheduledJobRegistry, FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry, DeferredJobRegistry)


@pytest.fixture
def fake_twilio():
    """A fake Twilio REST API on 127.0.0.1, for the life of one test."""
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def queued(app, db, settings, now):
    """Queue one SMS to CITIZEN and return a function that reads it back."""
    with db.session() as session:
        person = find_or_create_participant(session, settings.PSEUDONYM_KEY, TEL, CITIZEN, now)
        message_id = queue_message(session, person.id, "sms", "Bonjour, votre avis ?", "invitation", now)
        session.commit()

    def read() -> OutboundMessage:
        with db.session() as session:
            return session.get(OutboundMessage, message_id)

    read.id = message_id
    return read


@pytest.fixture(params=["inline", "rq"])
def mode(request) -> str:
    """Run a test twice: jobs inline (no REDIS_URL), then through RQ on the real Redis."""
    return request.param


@pytest.fixture
def settings(settings, fake_twilio, request):
    """Twilio configured against the fake; REDIS_URL set when the test runs in RQ mode."""
    configured = twilio_settings(settings, fake_twilio.url)
    if "mode" in request.fixturenames and request.getfixturevalue("mode") == "rq":
        _own_queues(request.getfixturevalue("monkeypatch"))
        request.addfinalizer(_empty_queues)
        configured = configured.replace(REDIS_URL=TEST_REDIS_URL)
    return configured


def _own_queues(monkeypatch) -> None:
    """Queue names and keys of this test's own: other test runs may share this Redis database."""
    from workers import aggregate, broadcast, send

    tag = secrets.token_hex(4)
    for name in ("SEND", "AGGREGATE", "DEFAULT"):
        monkeypatch.setattr(Queues, name, f"{getattr(Queues, name)}-test-{tag}")
    monkeypatch.setattr(Queues, "ALL", (Queues.SEND, Queues.AGGREGATE, Queues.DEFAULT))
    # Job ids too: RQ keeps a job's hash under its id alone, whatever the queue, and two runs sharing
    # this database number their messages from 1 alike (under `pytest -n 2`, the other params of the
    # same test): one run's `send-1` overwrote or deleted the other's.
    monkeypatch.setattr(send, "JOB_PREFIX", f"send-test-{tag}")
    monkeypatch.setattr(broadcast, "JOB_PREFIX", f"broadcast-test-{tag}")
    # Completions (the demo's, say) schedule profile refreshes: their coalescing key too.
    monkeypatch.setattr(aggregate, "JOB_PREFIX", f"aggregate-test-{tag}")
    monkeypatch.setattr(aggregate, "EPOCH_KEY", f"palabre:test-{tag}:aggregate-epoch:{{}}")


@pytest.fixture
def work(app, mode):
    """Run every queued job to the end: an RQ burst worker in this process, or nothing inline."""

    def _work() -> None:
        if mode == "inline":
            return
        connection = redis.Redis.from_url(TEST_REDIS_URL)
        with app.app_context():
            SimpleWorker([Queue(name, connection=connection) for name in Queues.ALL], connection=connection).work(burst=True)

    return _work


@pytest.fixture
def scheduled():
    """The send jobs RQ holds back for a later retry, with the time each is due."""
    return _scheduled


@pytest.fixture
def release_scheduled():
    """Move held-back send jobs to their queue now, as RQ's scheduler does once the backoff is over."""
    return _release_scheduled


def _scheduled(queue_name: str | None = None) -> list:
    registry = ScheduledJobRegistry(queue=Queue(queue_name or Queues.SEND, connection=redis.Redis.from_url(TEST_REDIS_URL)))
    return [(job_id, registry.get_scheduled_time(job_id)) for job_id in registry.get_job_ids()]


def _release_scheduled(queue_name: str | None = None) -> int:
    registry = ScheduledJobRegistry(queue=Queue(queue_name or Queues.SEND, connection=redis.Redis.from_url(TEST_REDIS_URL)))
    job_ids = registry.get_job_ids()
    for job_id in job_ids:
        registry.requeue(job_id)
    return len(job_ids)


def _empty_queues() -> None:
    """Leave no job or key behind (only this test's queues and keys are touched, not the whole database)."""
    from workers import aggregate

    connection = redis.Redis.from_url(TEST_REDIS_URL)
    epochs = aggregate.EPOCH_KEY.split("{}")[0]
    if epochs.startswith("palabre:test-"):
        for key in connection.scan_iter(epochs + "*"):
            connection.delete(key)
    for name in Queues.ALL:
        queue = Queue(name, connection=connection)
        queue.empty()
        for registry_class in REGISTRIES:
            registry = registry_class(queue=queue)
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=False)
                connection.delete(Job.key_for(job_id))  # its hash may be gone already (a test lost it on purpose)
