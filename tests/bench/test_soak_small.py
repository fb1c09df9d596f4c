"""The soak of bench/soak.py in small: the Procfile's processes, four channels, a worker killed, Redis restarted."""

from __future__ import annotations

import os
import socket

import psycopg
import pytest
from psycopg import sql

from bench.soak import Options, run
from bench.soak_citizens import CHANNELS

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CITIZENS = 16  # 4 per channel, 240 webhook calls and 64 Telegram sends: what 2 shared cores run in about a minute

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL,
    reason="runs in the PostgreSQL run of the suite (scripts/test runs both): the Procfile's gunicorn and job "
           "workers writing one SQLite file at once would measure SQLite's file lock, not Palabre")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def soak_database_url():
    """A PostgreSQL database of this run's own (the soak truncates its tables), dropped afterwards."""
    server, name = TEST_DATABASE_URL.rsplit("/", 1)
    own = f"{name.split('?')[0]}_soak_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
    yield f"{server}/{own}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(own)))


def test_citizens_on_every_channel_lose_nothing_through_a_killed_worker_and_a_redis_restart(soak_database_url):
    report = run(Options(citizens=CITIZENS, web_workers=2, job_workers=3, clients=1, threads=6,
                         redis_port=_free_port(), database_url=soak_database_url, max_seconds=400,
                         settle_seconds=240, cron_seconds=10, verbose=False))

    happened = " | ".join(what for _, what in report.events)
    assert "SIGKILL job worker" in happened and "job worker started again" in happened, happened
    assert "SIGKILL gunicorn worker" in happened, happened
    assert "Redis started again" in happened, happened
    per_channel = CITIZENS // len(CHANNELS)
    assert {channel: report.conversations.get(channel) for channel in CHANNELS} == \
        {channel: {"completed": per_channel} for channel in CHANNELS}
    assert report.answer_mismatches == []
    assert report.duplicates == 0
    assert report.answers_stored == report.answers_expected
    assert report.server_errors == 0, report.tally.statuses
    assert report.tally.gave_up == 0
    assert report.snapshot_seconds is not None, f"latest snapshot: {report.snapshot_responses} responses"
    assert report.snapshot_responses == CITIZENS
    # Each Telegram citizen read every reply before answering (within the minute it waits), and every reply
    # left through the send job, but one a killed worker held mid-call (at most once).
    assert report.tally.replies_missed <= report.outbound.get("sending", 0)
    assert report.outbound.get("queued", 0) == 0, report.outbound
    assert report.outbound.get("sending", 0) <= 1, report.outbound
    assert report.telegram_ended >= per_channel - report.outbound.get("sending", 0)
    assert report.unexpected_api_calls == 0
    assert report.failures() == []
