"""Fan a feedback broadcast out: one send job per recipient, spaced to each channel's rate limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from rq import Retry
from sqlalchemy import bindparam, select, update

from models import Action, Broadcast, Consultation, OutboundMessage, utcnow
from palabre.consultations import flow_of
from palabre.feedback import queue_feedback, recipients
from workers.context import job_session
from workers.outbox import with_workers
from workers.queue import Queues, enqueue, redis_url
from workers.send import SEND_RETRY_INTERVALS, job_id, send_message

# Twilio long codes take about 1 message a second; Telegram about 30 a second overall.
# WhatsApp senders start at 80 messages a second on Meta's side; a tenth of that leaves room for replies.
SENDS_PER_SECOND = {"sms": 1.0, "whatsapp": 8.0, "telegram": 25.0}
JOB_PREFIX = "broadcast"  # see workers.send.JOB_PREFIX


def schedule_broadcast(broadcast_id: int) -> None:
    """Queue the fan-out of a broadcast (inline when no Redis)."""
    enqueue(fan_out, broadcast_id, queue=Queues.DEFAULT, job_id=f"{JOB_PREFIX}-{broadcast_id}", unique=True,
            retry=Retry(max=3, interval=[10, 60, 300]))


def fan_out(broadcast_id: int) -> int:
    """Record each recipient's message once and schedule its send job at its turn; return how many wait to go.

    It sends nothing itself: a broadcast of thousands is thousands of short jobs, not one long job
    at the mercy of RQ's timeout. Run again (RQ's retry after a crash), it records no message twice
    and leaves the send jobs RQ already holds at their time.
    """
    # Everything inside the job's app context: outside it, `redis_url()` is None and every send
    # would run inline, here, all at once.
    with job_session() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return 0
        action = session.get(Action, broadcast.action_id)
        flow = flow_of(session.get(Consultation, action.consultation_id))  # type: ignore[union-attr,arg-type]
        people = recipients(session, action)  # type: ignore[arg-type]
        now = utcnow()
        queue_feedback(session, broadcast.id, people, broadcast.text, flow.default_language, now)
        broadcast.recipients = len(people)
        session.flush()
        # Every not-yet-sent message of the broadcast, including any a crashed fan-out left queued.
        pending = session.execute(
            select(OutboundMessage.id, OutboundMessage.channel, OutboundMessage.next_attempt_at)
            .where(OutboundMessage.dedupe_key.like(f"broadcast:{broadcast.id}:%"), OutboundMessage.status == OutboundMessage.QUEUED)
            .order_by(OutboundMessage.id)
        ).all()
        if not redis_url():  # inline, nothing can wait for its turn: each is sent now
            session.commit()
            for message_id, _channel, _due in pending:
                enqueue(send_message, message_id, queue=Queues.SEND)
            return len(pending)
        turns = _turns(pending, with_workers([m for m, _channel, _due in pending]), now)
        if turns:  # each is due at its turn: `outbox retry` must not send them all at once either
            table = OutboundMessage.__table__
            session.connection().execute(update(table).where(table.c.id == bindparam("message_id"))
                                         .values(next_attempt_at=bindparam("due")),
                                         [{"message_id": m, "due": due} for m, due in turns.items()])
        session.commit()  # recorded before queued: a send job finds its message
        for message_id, due in turns.items():
            enqueue(send_message, message_id, queue=Queues.SEND, job_id=job_id(message_id), at=due,
                    retry=Retry(max=len(SEND_RETRY_INTERVALS), interval=SEND_RETRY_INTERVALS))
        return len(pending)


def _turns(pending, held: set[int], now: datetime) -> dict[int, datetime]:
    """When each message RQ does not hold yet is due: after those it holds, no channel above its rate."""
    gap = {channel: timedelta(seconds=1 / SENDS_PER_SECOND.get(channel, 1.0)) for _m, channel, _due in pending}
    free = {channel: now for channel in gap}  # the first moment each channel has room
    for message_id, channel, due in pending:
        if message_id in held:
            free[channel] = max(free[channel], (due or now) + gap[channel])
    turns = {}
    for message_id, channel, _due in pending:
        if message_id not in held:
            turns[message_id], free[channel] = free[channel], free[channel] + gap[channel]
    return turns
