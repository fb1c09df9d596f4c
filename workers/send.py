"""The job that sends one queued message: at most once, never to someone who opted out."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from redis.exceptions import RedisError
from rq import Retry, get_current_job

from bots.errors import ChannelNotConfigured, ContactOptedOut, MaybeSent, NotSent, SendError, SendFailed, Throttled
from bots.senders import sender_for
from models import OutboundMessage, utcnow
from palabre.outbound import address_for, claim
from workers.context import job_app, job_session
from workers.queue import Queues, enqueue

log = logging.getLogger(__name__)

SENDING = "sending"
# Twilio and Telegram ask for backoff on 429 and 5xx: 10 s, then 30 s, 1, 2 and 5 minutes.
SEND_RETRY_INTERVALS = [10, 30, 60, 120, 300]
NOT_CONFIGURED_RETRY = 300  # a channel without credentials yet: look again in 5 minutes
# RQ job ids are global to a Redis database (queue names do not scope them): two deployments, or two
# test runs, sharing one database need their own prefix. RQ ids allow letters, digits, '_' and '-' only.
JOB_PREFIX = "send"


def job_id(message_id: int) -> str:
    """The id of a message's send job: one job per message, so a second enqueue finds the first."""
    return f"{JOB_PREFIX}-{message_id}"


def queue_send(message_id: int) -> None:
    """Send a recorded message from a worker (or now, inline); with Redis down, leave it for `outbox retry`."""
    try:
        enqueue(send_message, message_id, queue=Queues.SEND, job_id=job_id(message_id),
                retry=Retry(max=len(SEND_RETRY_INTERVALS), interval=SEND_RETRY_INTERVALS))
    except RedisError as exc:
        # The message is stored, queued and due: nothing is lost, and the request that queued it
        # (a Telegram update, a dashboard broadcast) must not fail over it.
        log.error("outbound %s not handed to a worker (%s): `python app.py outbox retry` will", message_id, type(exc).__name__)


def send_message(message_id: int) -> str:
    """Hand one queued message to its platform; return what became of it."""
    with job_session() as session:
        claimed = claim(session, message_id)
        if claimed is None:
            return "already handled"
        message, participant = claimed
        if participant.opted_out and not _confirms_opt_out(message, participant):
            message.status, message.error = OutboundMessage.SKIPPED, "participant opted out"
            session.commit()
            return "skipped: opted out"
        address = address_for(session, participant.id, message.channel)
        if address is None:
            message.status, message.error = OutboundMessage.FAILED, f"no {message.channel} address"
            session.commit()
            return "failed: no address"
        # Mark before calling out: if this worker dies mid-call, the message is not sent a second
        # time by a retry (at most once); a 'sending' row left behind is for an operator to check.
        # A call that raised ends as queued again (the request never left) or unknown (it may have).
        message.status, message.attempts = SENDING, message.attempts + 1
        session.commit()
        try:
            external_id = _send(message.channel, address, message.text, message.id)
        except ContactOptedOut as exc:
            participant.opted_out_at = utcnow()
            return _finish(session, message, OutboundMessage.FAILED, f"contact opted out: {exc}")
        except Throttled as exc:
            message.next_attempt_at = utcnow() + timedelta(seconds=exc.retry_after)
            _finish(session, message, OutboundMessage.QUEUED, f"throttled, retry after {exc.retry_after} s")
            if get_current_job() is not None:  # inline, `outbox retry` sends it once it is due
                enqueue(send_message, message_id, queue=Queues.SEND, delay=timedelta(seconds=exc.retry_after))
            return "throttled"
        except MaybeSent as exc:
            log.warning("outbound %s: unknown whether it went out; left for an operator", message_id)
            return _finish(session, message, OutboundMessage.UNKNOWN, str(exc))
        except SendFailed as exc:
            if not exc.retryable:
                return _finish(session, message, OutboundMessage.FAILED, str(exc))
            if message.attempts > len(SEND_RETRY_INTERVALS):
                return _finish(session, message, OutboundMessage.FAILED, f"gave up after {message.attempts} attempts: {exc}")
            message.next_attempt_at = utcnow() + timedelta(seconds=SEND_RETRY_INTERVALS[message.attempts - 1])
            _finish(session, message, OutboundMessage.QUEUED, str(exc))
            if get_current_job() is not None:
                raise  # RQ retries with the backoff above; inline, `outbox retry` sends it once it is due
            return "queued again"
        except ChannelNotConfigured as exc:
            message.next_attempt_at = utcnow() + timedelta(seconds=NOT_CONFIGURED_RETRY)  # configured by then, perhaps
            return _finish(session, message, OutboundMessage.QUEUED, str(exc))
        message.external_id, message.sent_at = external_id, utcnow()
        return _finish(session, message, OutboundMessage.SENT, None)


def _send(channel: str, address: str, text: str, message_id: int) -> str:
    """Hand the text to the channel's client; a failure it did not name happened before the request left.

    The clients name every failure from the moment the request may have left (MaybeSent), so
    anything else (a bug building the client or the buttons) left nothing at the platform.
    """
    try:
        return sender_for(channel, job_app().extensions["palabre.config"]).send(address, text, message_id)
    except SendError:
        raise
    except Exception as exc:
        # The frames, not the exception's text: that could quote the address.
        log.error("outbound %s: %s before the request left, tried again later\n%s", message_id, type(exc).__name__,
                  "".join(traceback.format_tb(exc.__traceback__)))
        raise NotSent(f"{type(exc).__name__} before the request left") from None


def _confirms_opt_out(message: OutboundMessage, participant) -> bool:
    """The reply to STOP itself, queued with the opt-out (Telegram replies are not inline), still goes out."""
    return message.kind == "reply" and message.created_at >= participant.opted_out_at


def _finish(session, message: OutboundMessage, status: str, error: str | None) -> str:
    message.status, message.error = status, (error or None) and error[:255]
    if status != OutboundMessage.QUEUED:
        message.next_attempt_at = None  # sent, or done with for good: never due again
    session.commit()
    log.info("outbound %s: %s", message.id, status)
    return status
