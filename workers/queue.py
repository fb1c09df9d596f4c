"""Put a job on a queue: RQ when REDIS_URL is set, inline in the same process otherwise."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from flask import current_app, has_app_context

log = logging.getLogger(__name__)


class Queues:
    """Every queue name, in one place (a worker listens to them in this order)."""

    SEND = "send"  # outbound messages: a citizen is waiting
    AGGREGATE = "aggregate"  # profile snapshots
    DEFAULT = "default"  # invitations, reminders, sweeps

    ALL = (SEND, AGGREGATE, DEFAULT)


@dataclass(frozen=True)
class Enqueued:
    job_id: str | None
    inline: bool
    duplicate: bool = False  # a job with this id was already pending
    failed: bool = False  # inline only: the job raised (logged); RQ would have retried it


def redis_url() -> str | None:
    """The configured Redis, or None for inline jobs."""
    return current_app.config.get("REDIS_URL") if has_app_context() else None


def enqueue(func: Callable[..., Any], *args: Any, queue: str = Queues.DEFAULT, job_id: str | None = None,
            retry: Any = None, delay: timedelta | None = None, at: datetime | None = None, unique: bool = False,
            **options: Any) -> Enqueued:
    """Run `func(*args)` in a worker, or now when no Redis is configured.

    A worker runs it after `delay`, or from `at` (a time already recorded elsewhere: no drift
    between computing it and queueing), once RQ's scheduler finds it due.
    With `unique=True` and a `job_id`, a job already waiting under that id is not queued twice
    (RQ refuses the duplicate): this is how bursts of work coalesce into one job.
    """
    url = redis_url()
    if not url:
        if delay is not None or at is not None:
            log.info("inline jobs cannot wait: running %s now", func.__name__)
        try:
            func(*args)
        except Exception as exc:  # as with a worker, a failing job must not fail the request that queued it
            log.error("inline job %s failed: %s\n%s", func.__name__, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
            return Enqueued(job_id, inline=True, failed=True)
        return Enqueued(job_id, inline=True)
    from rq import Queue
    from rq.exceptions import DuplicateJobError

    rq_queue = Queue(queue, connection=connection(url))
    try:
        if at is not None:
            job = rq_queue.enqueue_at(at, func, *args, job_id=job_id, retry=retry, **options)
        elif delay is not None:
            job = rq_queue.enqueue_in(delay, func, *args, job_id=job_id, retry=retry, **options)
        else:
            job = rq_queue.enqueue_call(func, args=args, job_id=job_id, retry=retry, unique=unique, **options)
    except DuplicateJobError:
        return Enqueued(job_id, inline=False, duplicate=True)
    return Enqueued(job.id, inline=False)


_connections: dict[str, Any] = {}


def connection(url: str):
    """One Redis connection pool per URL and process, with timeouts: a hung Redis must not hang a request."""
    if url not in _connections:
        import redis

        _connections[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _connections[url]
