"""Messages that failed for now and are due again: what RQ's retries do, for deployments with no worker.

With REDIS_URL unset, jobs run inline and nothing waits out a backoff: a send that failed for now
(Twilio 429 or 5xx, Telegram flood control, a channel not configured yet) stays queued with the
time it is due again (`next_attempt_at`). `python app.py outbox retry`, from cron or by hand,
sends the due ones through the same send job, which still sends each message at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import OutboundMessage


@dataclass(frozen=True)
class Waiting:
    """Queued messages that failed for now: how many, and when the first is due."""

    count: int
    next_due: datetime | None


def due(session: Session, now: datetime, limit: int = 10_000) -> list[int]:
    """Ids of the queued messages due again by `now`, oldest due first."""
    query = (select(OutboundMessage.id)
             .where(OutboundMessage.status == OutboundMessage.QUEUED, OutboundMessage.next_attempt_at <= now)
             .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id).limit(limit))
    return list(session.scalars(query))


def waiting(session: Session) -> Waiting:
    """The queued messages waiting for a retry, due or not."""
    count, first = session.execute(
        select(func.count(), func.min(OutboundMessage.next_attempt_at))
        .where(OutboundMessage.status == OutboundMessage.QUEUED, OutboundMessage.next_attempt_at.is_not(None))
    ).one()
    return Waiting(count, first)


def status_counts(session: Session) -> dict[str, int]:
    """Outbound messages by status (inline replies included)."""
    rows = session.execute(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status))
    return {status: count for status, count in rows}
