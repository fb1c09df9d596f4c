"""The aggregation job on the real Redis: bursts coalesce, no completion is left out, failures are retried."""

from __future__ import annotations

import os
import secrets

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from app import create_app
from make_responses import add_responses, consultation_id
from models import ProfileSnapshot
from palabre.consultations import load_library
from palabre.inbound import Outcome, after_commit
from palabre.config import ROOT
from workers import aggregate as job
from workers.queue import Queues

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
LIBRARY = ROOT / "flows" / "library"


@pytest.fixture
def rq_app(settings, db, monkeypatch):
    """The app with REDIS_URL set, on a queue, job ids and epoch keys of its own (other runs share this Redis)."""
    tag = secrets.token_hex(4)
    monkeypatch.setattr(Queues, "AGGREGATE", f"aggregate-test-{tag}")
    monkeypatch.setattr(job, "JOB_PREFIX", f"aggregate-test-{tag}")
    monkeypatch.setattr(job, "EPOCH_KEY", f"palabre:test-{tag}:aggregate-epoch:{{}}")
    application = create_app(settings.replace(REDIS_URL=TEST_REDIS_URL))
    with application.extensions["palabre.database"].session() as session:
        load_library(session, LIBRARY)
        session.commit()
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    yield application
    Queue(Queues.AGGREGATE, connection=connection).empty()
    for key in connection.scan_iter(f"palabre:test-{tag}:*"):
        connection.delete(key)
    application.extensions["palabre.database"].dispose()


def complete(app, consultation: int, times: int = 1) -> None:
    """What the inbound path does after committing each completed conversation."""
    with app.app_context():
        for _ in range(times):
            after_commit(Outcome(completed_consultation_id=consultation))


def queue() -> Queue:
    return Queue(Queues.AGGREGATE, connection=redis.Redis.from_url(TEST_REDIS_URL))


def work(app) -> None:
    with app.app_context():
        SimpleWorker([queue()], connection=queue().connection).work(burst=True)


def snapshots(db) -> list[ProfileSnapshot]:
    with db.session() as session:
        return list(session.scalars(select(ProfileSnapshot).order_by(ProfileSnapshot.id)))


def test_a_burst_of_completions_costs_one_job_and_gives_a_fresh_snapshot(rq_app, db, now):
    cid = consultation_id(db)
    add_responses(db, cid, 60, now)
    complete(rq_app, cid, times=60)
    assert queue().count == 1
    assert queue().job_ids == [f"{job.JOB_PREFIX}-{cid}-0"]
    work(rq_app)
    [snapshot] = snapshots(db)
    assert snapshot.responses == 60
    assert queue().count == 0
    # The next burst queues the next epoch's job, and the snapshot follows.
    add_responses(db, cid, 25, now, seed=2)
    complete(rq_app, cid, times=25)
    assert queue().job_ids == [f"{job.JOB_PREFIX}-{cid}-1"]
    work(rq_app)
    assert [s.responses for s in snapshots(db)] == [60, 85]


def test_a_completion_during_a_running_job_queues_the_next_one(rq_app, db, now, monkeypatch):
    cid = consultation_id(db)
    add_responses(db, cid, 30, now)
    real = job.aggregate
    runs = []

    def aggregate_then_a_completion_arrives(*args, **kwargs):
        snapshot = real(*args, **kwargs)
        runs.append(snapshot.responses)
        if len(runs) == 1:  # a citizen completes after this job read the database, before it ends
            add_responses(db, cid, 1, now, seed=9)
            complete(rq_app, cid)
        return snapshot

    monkeypatch.setattr(job, "aggregate", aggregate_then_a_completion_arrives)
    complete(rq_app, cid)
    work(rq_app)
    assert runs == [30, 31]
    assert snapshots(db)[-1].responses == 31


def test_a_failed_aggregation_is_retried_and_the_snapshot_is_whole(rq_app, db, now, monkeypatch):
    cid = consultation_id(db)
    add_responses(db, cid, 20, now)
    monkeypatch.setattr(job, "RETRY_INTERVALS", [0])  # retry at once: a burst worker runs no scheduler
    real = job.aggregate
    attempts = []

    def fails_once(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(job, "aggregate", fails_once)
    complete(rq_app, cid)
    work(rq_app)
    assert len(attempts) == 2
    [snapshot] = snapshots(db)
    assert snapshot.responses == 20
    assert FailedJobRegistry(queue=queue()).count == 0


def test_a_job_that_failed_for_good_does_not_block_the_next(rq_app, db, now, monkeypatch):
    cid = consultation_id(db)
    add_responses(db, cid, 12, now)
    monkeypatch.setattr(job, "RETRY_INTERVALS", [])

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    with monkeypatch.context() as patched:  # undoes only this patch, not the fixture's own queue and keys
        patched.setattr(job, "aggregate", broken)
        complete(rq_app, cid)
        work(rq_app)
    assert FailedJobRegistry(queue=queue()).count == 1 and snapshots(db) == []
    complete(rq_app, cid)
    work(rq_app)
    assert [s.responses for s in snapshots(db)] == [12]


def test_redis_down_does_not_fail_the_citizens_message(settings, loaded, db, caplog):
    broken = create_app(settings.replace(REDIS_URL="redis://127.0.0.1:1/0"))
    complete(broken, consultation_id(db))
    assert "not scheduled: Redis unavailable" in caplog.text
    broken.extensions["palabre.database"].dispose()
