"""Queued messages that are due: retries when no RQ worker runs, and sends whose job never ran.

Every queued message carries the time it is due (`next_attempt_at`): when it is queued, then,
after a send that failed for now (Twilio 429 or 5xx, Telegram flood control, a channel not
configured yet), when its backoff ends. With REDIS_URL unset nothing else waits out a backoff; with
Redis down or flushed, a job can be lost. `python app.py outbox retry`, from cron or by hand,
hands the due ones to the same send job, which still sends each message at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import OutboundMessage
from workers.queue import connection, redis_url
from workers.send import job_id


@dataclass(frozen=True)
class Waiting:
    """Queued messages that were tried and failed for now: how many, and when the first is due again."""

    count: int
    next_due: datetime | None


def due(session: Session, now: datetime, limit: int = 10_000) -> list[int]:
    """Ids of the queued messages due by `now`, oldest due first: retries, and sends whose job was lost.

    With RQ, a message queued a moment ago may still wait in Redis: handing it over again is
    harmless, the send job claims each message once.
    """
    query = (select(OutboundMessage.id)
             .where(OutboundMessage.status == OutboundMessage.QUEUED, OutboundMessage.next_attempt_at <= now)
             .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(limit))
    return list(session.scalars(query))


def with_workers(message_ids: list[int]) -> set[int]:
    """The messages whose send job RQ still holds (queued, scheduled, running): theirs is not lost.

    Empty with jobs inline (no REDIS_URL), or when Redis cannot be asked: then every due message
    is handed over again, which is safe (the send job claims each message once).
    """
    url = redis_url()
    if not url or not message_ids:
        return set()
    from rq.job import Job, JobStatus

    alive = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED}
    try:
        jobs = Job.fetch_many([job_id(m) for m in message_ids], connection=connection(url))
        return {m for m, job in zip(message_ids, jobs) if job is not None and job.get_status(refresh=False) in alive}
    except RedisError:
        return set()


def waiting(session: Session) -> Waiting:
    """The queued messages waiting for a retry after a failed try, due or not."""
    count, first = session.execute(
        select(func.count(), func.min(OutboundMessage.next_attempt_at))
        .where(OutboundMessage.status == OutboundMessage.QUEUED, OutboundMessage.attempts > 0)
    ).one()
    return Waiting(count, first)


def status_counts(session: Session) -> dict[str, int]:
    """Outbound messages by status (inline replies included)."""
    rows = session.execute(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status))
    return {status: count for status, count in rows}
