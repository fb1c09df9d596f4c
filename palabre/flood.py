"""Per-sender flood limit: one number sending hundreds of messages a minute is throttled; nobody else notices.

A person answering a consultation sends a message every few seconds at most, and a USSD session a request
every few seconds. Hundreds a minute is a machine: an auto-responder answering our replies (each loop turn
costs an SMS), or someone hammering the webhook. Over the limit the message is not stored and gets no reply.
The count lives in Redis when there is one (every web process sees it), else in this process (a looser
limit, multiplied by the number of processes, but still a limit).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict

from flask import current_app, has_app_context
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

SENDER_MESSAGES_PER_MINUTE = 60
WINDOW_SECONDS = 60
REDIS_TIMEOUT_SECONDS = 0.5  # a hung Redis must not hold a webhook: past this the local count decides
LOCAL_SENDERS_KEPT = 10_000  # memory bound of the in-process count: the least recently seen senders go first
KEY = "palabre:flood:{}:{}"


class _LocalWindows:
    """Messages per sender in the current window, for this process only."""

    def __init__(self) -> None:
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def count(self, sender: str, window: int) -> int:
        with self._lock:
            seen_window, seen = self._counts.pop(sender, (window, 0))
            total = seen + 1 if seen_window == window else 1
            self._counts[sender] = (window, total)
            while len(self._counts) > LOCAL_SENDERS_KEPT:
                self._counts.popitem(last=False)
            return total


_LOCAL = _LocalWindows()


def allow(sender_hash: str, now: float, redis_url: str | None) -> bool:
    """Count one message from a sender (by address hash); False once over the limit for this minute."""
    window = int(now // WINDOW_SECONDS)
    count = _count_in_redis(redis_url, sender_hash, window) if redis_url else None
    if count is None:
        count = _local_windows().count(sender_hash, window)
    if count == SENDER_MESSAGES_PER_MINUTE + 1:  # once per sender and minute: the log must not flood either
        log.warning("sender %s… throttled: over %s messages this minute", sender_hash[:8], SENDER_MESSAGES_PER_MINUTE)
    return count <= SENDER_MESSAGES_PER_MINUTE


def _local_windows() -> _LocalWindows:
    """This app's counts (each app its own: tests build many apps in one process)."""
    if not has_app_context():
        return _LOCAL
    return current_app.extensions.setdefault("palabre.flood", _LocalWindows())


# One EVALSHA per message, atomic like a MULTI/EXEC pipeline of INCR and EXPIREAT, which redis-py took a
# quarter more CPU to send and parse. The key is gone once its minute is well over.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return count
"""
_COUNT_SHA = hashlib.sha1(_COUNT.encode()).hexdigest()


class _RedisCounter:
    """The counting script sent on a connection kept per thread, past redis-py's client and pool.

    The client's per-command work (pool checkout with a readiness poll, retry wrapper, argument filtering,
    release) cost more CPU than sending the command and reading its answer (py-spy over bench/webhooks.py's
    mixed load): this runs on every inbound message.
    """

    def __init__(self, url: str) -> None:
        import redis

        self._pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                                   socket_timeout=REDIS_TIMEOUT_SECONDS)
        self._kept = threading.local()

    def count(self, key: str, expire_at: int) -> int | None:
        """INCR the key and set its expiry; None when Redis cannot answer within the timeout."""
        connection = getattr(self._kept, "connection", None)
        if connection is None or self._kept.pid != os.getpid():  # a forked worker opens its own
            connection = self._kept.connection = self._pool.make_connection()
            self._kept.pid = os.getpid()
        for attempt in range(2):
            try:
                try:
                    connection.send_command("EVALSHA", _COUNT_SHA, 1, key, expire_at)
                    return int(connection.read_response())
                except NoScriptError:  # a Redis restarted since: EVAL caches the script again
                    connection.send_command("EVAL", _COUNT, 1, key, expire_at)
                    return int(connection.read_response())
            except (RedisConnectionError, RedisTimeoutError) as exc:
                connection.disconnect()  # a late answer must not be read as the next command's
                # A connection Redis closed while idle (a restart) is opened again once; a Redis that is
                # down or too slow leaves the count to this process.
                if isinstance(exc, RedisTimeoutError) or attempt:
                    return None
            except RedisError:
                connection.disconnect()
                return None
        return None


_counters: dict[str, _RedisCounter] = {}


def _count_in_redis(url: str, sender_hash: str, window: int) -> int | None:
    counter = _counters.get(url)
    if counter is None:
        counter = _counters[url] = _RedisCounter(url)
    return counter.count(KEY.format(sender_hash, window), (window + 2) * WINDOW_SECONDS)
