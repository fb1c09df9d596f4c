"""Fixtures for outbound work: a fake Twilio over HTTP, and jobs run inline or by RQ on the real Redis."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import (
    DeferredJobRegistry, FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry, StartedJobRegistry,
)

from fakes.fake_twilio import FakeTwilio
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, CITIZEN, FROM_NUMBER, twilio_settings
from models import OutboundMessage
from palabre.config import ROOT
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from palabre.outbound import queue_message
from workers.queue import Queues
from rq_test_names import TAG_VARIABLE, tagged_names

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
    tag = secrets.token_hex(4)
    for target, attribute, value in tagged_names(tag):
        monkeypatch.setattr(target, attribute, value)
    monkeypatch.setenv(TAG_VARIABLE, tag)  # for the worker processes the test starts


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
def rq_worker(mode, settings, fake_twilio, tmp_path):
    """Run a real `rq worker --burst --with-scheduler` process on this test's queues; return what it printed.

    Unlike `work`, it has no app context around its jobs: it builds its app from the environment, as
    in production. Its scheduler first moves the jobs already due onto their queue, then it works
    until the queues are empty. A SimpleWorker runs them in its own process: a forked work horse
    would build an app for every job (seconds each).
    """
    assert mode == "rq"
    env = {
        **os.environ, "DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL, "PSEUDONYM_KEY": settings.PSEUDONYM_KEY,
        "SECRET_KEY": "test", "INSTANCE_DIR": str(tmp_path), "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_URL": fake_twilio.url, "PYTHONPATH": str(ROOT),
    }

    def _run() -> str:
        worker = subprocess.run([sys.executable, str(Path(__file__).with_name("rq_test_names.py")), "worker", "--burst", "--with-scheduler",
                                 "--worker-class", "rq.worker.SimpleWorker",
                                 "--url", settings.REDIS_URL, *Queues.ALL], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert worker.returncode == 0, worker.stderr[-2000:]
        return worker.stdout + worker.stderr

    return _run


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
