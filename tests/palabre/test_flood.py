"""The flood limit is counted in Redis when there is one, so every web process sees the same count."""

from __future__ import annotations

import os
import time
import uuid

import redis

from app import create_app
from palabre import flood

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_two_web_processes_share_one_count_in_redis(settings):
    sender, now = uuid.uuid4().hex, time.time()  # a real clock: the Redis key expires with its minute
    first, second = (create_app(settings.replace(REDIS_URL=TEST_REDIS_URL)) for _ in range(2))
    verdicts = []
    for i in range(flood.SENDER_MESSAGES_PER_MINUTE + 1):
        with (first if i % 2 else second).app_context():
            verdicts.append(flood.allow(sender, now, TEST_REDIS_URL))
    assert verdicts == [True] * flood.SENDER_MESSAGES_PER_MINUTE + [False]
    ttl = redis.Redis.from_url(TEST_REDIS_URL).ttl(flood.KEY.format(sender, int(now // flood.WINDOW_SECONDS)))
    assert 0 < ttl <= 2 * flood.WINDOW_SECONDS, "the count does not outlive its minute for long"


def test_with_redis_down_the_count_falls_back_to_the_process(app):
    sender, now = uuid.uuid4().hex, time.time()
    with app.app_context():
        verdicts = [flood.allow(sender, now, "redis://127.0.0.1:9/0") for _ in range(flood.SENDER_MESSAGES_PER_MINUTE + 1)]
    assert verdicts[-1] is False and all(verdicts[:-1])


def test_the_next_minute_starts_afresh(app):
    sender = uuid.uuid4().hex
    with app.app_context():
        for _ in range(flood.SENDER_MESSAGES_PER_MINUTE + 1):
            flood.allow(sender, 600.0, None)
        assert flood.allow(sender, 600.0, None) is False
        assert flood.allow(sender, 660.0, None) is True


def test_a_script_redis_does_not_know_is_sent_whole(app, monkeypatch):
    sender, now = uuid.uuid4().hex, time.time()
    monkeypatch.setattr(flood, "_COUNT_SHA", "0" * 40)  # as after a Redis restart: NOSCRIPT
    with app.app_context():
        assert [flood.allow(sender, now, TEST_REDIS_URL) for _ in range(2)] == [True, True]
    assert int(redis.Redis.from_url(TEST_REDIS_URL).get(flood.KEY.format(sender, int(now // flood.WINDOW_SECONDS)))) == 2


def test_a_connection_redis_closed_is_opened_again_and_the_count_stays_shared(app):
    sender, now = uuid.uuid4().hex, time.time()
    with app.app_context():
        assert flood.allow(sender, now, TEST_REDIS_URL)
        kept = flood._counters[TEST_REDIS_URL]._kept.connection
        kept.send_command("CLIENT", "ID")
        redis.Redis.from_url(TEST_REDIS_URL).client_kill_filter(_id=kept.read_response())  # as a restart or an idle timeout would
        assert flood.allow(sender, now, TEST_REDIS_URL)
    assert int(redis.Redis.from_url(TEST_REDIS_URL).get(flood.KEY.format(sender, int(now // flood.WINDOW_SECONDS)))) == 2
