"""Fan a feedback broadcast out: one send job per recipient, spaced to each channel's rate limit."""

from __future__ import annotations

from datetime import timedelta

from rq import Retry
from sqlalchemy import bindparam, select, update

from models import Action, Broadcast, Consultation, OutboundMessage, utcnow
from palabre.consultations import flow_of
from palabre.feedback import queue_feedback, recipients
from workers.context import job_app, job_session
from workers.queue import Queues, enqueue
from workers.send import SEND_RETRY_INTERVALS, job_id, send_message

# Twilio long codes take about 1 message a second; Telegram about 30 a second overall.
SENDS_PER_SECOND = {"sms": 1.0, "telegram": 25.0}
JOB_PREFIX = "broadcast"  # see workers.send.JOB_PREFIX


def schedule_broadcast(broadcast_id: int) -> None:
    """Queue the fan-out of a broadcast (inline when no Redis)."""
    enqueue(fan_out, broadcast_id, queue=Queues.DEFAULT, job_id=f"{JOB_PREFIX}-{broadcast_id}", unique=True,
            retry=Retry(max=3, interval=[10, 60, 300]))


def fan_out(broadcast_id: int) -> int:
    """Record each recipient's message once and schedule its sending; return how many were queued now."""
    with job_session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return 0
        action = session.get(Action, broadcast.action_id)
        flow = flow_of(session.get(Consultation, action.consultation_id))  # type: ignore[union-attr,arg-type]
        people = recipients(session, action)  # type: ignore[arg-type]
        queue_feedback(session, broadcast.id, people, broadcast.text, flow.default_language, utcnow())
        broadcast.recipients = len(people)
        session.commit()
        # Every not-yet-sent message of the broadcast, including any a crashed fan-out left queued.
        pending = session.execute(
            select(OutboundMessage.id, OutboundMessage.channel)
            .where(OutboundMessage.dedupe_key.like(f"broadcast:{broadcast.id}:%"), OutboundMessage.status == OutboundMessage.QUEUED)
            .order_by(OutboundMessage.id)
        ).all()
        inline = not job_app().config.get("REDIS_URL")
        delays = {} if inline else _spaced(pending)
        if delays:  # each message is due when its turn comes: `outbox retry` must not send them all at once
            now = utcnow()
            table = OutboundMessage.__table__
            session.connection().execute(update(table).where(table.c.id == bindparam("message_id"))
                                         .values(next_attempt_at=bindparam("due")),
                                         [{"message_id": m, "due": now + delay} for m, delay in delays.items()])
            session.commit()
    for message_id, _channel in pending:
        if inline:
            send_message(message_id)
            continue
        enqueue(send_message, message_id, queue=Queues.SEND, job_id=job_id(message_id), delay=delays[message_id],
                retry=Retry(max=len(SEND_RETRY_INTERVALS), interval=SEND_RETRY_INTERVALS))
    return len(pending)


def _spaced(pending) -> dict[int, timedelta]:
    """How long each message waits, so that each channel gets no more than its rate."""
    position: dict[str, int] = {}
    delays = {}
    for message_id, channel in pending:
        slot = position.get(channel, 0)
        position[channel] = slot + 1
        delays[message_id] = timedelta(seconds=slot / SENDS_PER_SECOND.get(channel, 1.0))
    return delays
