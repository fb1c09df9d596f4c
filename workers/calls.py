"""Queue outbound calls on the send queue, paced: Twilio places an account's calls at 1 per second by default."""

from __future__ import annotations

import logging
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Retry

from workers.queue import Queues, enqueue
from workers.send import SEND_RETRY_INTERVALS, job_id, send_message

log = logging.getLogger(__name__)


def queue_call(message_id: int, position: int = 0, calls_per_second: float = 1.0) -> None:
    """Place a recorded call from a worker, `position / calls_per_second` seconds from now (inline: now)."""
    # Calls beyond Twilio's calls-per-second limit wait in Twilio's queue, where a long list would
    # leave the last ones ringing minutes later than the invitation says: so they are spread here.
    delay = timedelta(seconds=position / calls_per_second) if position else None
    try:
        enqueue(send_message, message_id, queue=Queues.SEND, job_id=job_id(message_id), delay=delay,
                retry=Retry(max=len(SEND_RETRY_INTERVALS), interval=SEND_RETRY_INTERVALS))
    except RedisError as exc:
        log.error("call %s not handed to a worker (%s): `python app.py outbox retry` will", message_id, type(exc).__name__)
