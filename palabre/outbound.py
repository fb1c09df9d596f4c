"""Queue messages to citizens: recorded first, sent by a job, never twice, never to the opted out."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, Protocol

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models import ChannelAddress, OutboundMessage, Participant
from palabre.identity import TELEGRAM, TEL
from palabre.prepared import Prepared
from palabre.upsert import insert_ignore

log = logging.getLogger(__name__)

# SMS and USSD reach a phone number; USSD cannot be pushed, so outbound "ussd" goes by SMS.
SCHEME_OF_CHANNEL = {"sms": TEL, "ussd": TEL, "whatsapp": TEL, "telegram": TELEGRAM, "voice": TEL}
SEND_CHANNEL = {"sms": "sms", "ussd": "sms", "whatsapp": "whatsapp", "telegram": "telegram"}


class Sender(Protocol):
    """A platform client: hands one text to one address and returns the platform's message id."""

    def send(self, address: str, text: str, message_id: int) -> str: ...


def record_inline_replies(session: Session | Connection, participant_id: int, channel: str, texts: list[str],
                          conversation_id: int | None, inbound_id: int | None, now: datetime) -> None:
    """Store replies given in the webhook's own response (TwiML, a USSD screen) as sent."""
    # A prepared Core INSERT, not ORM objects: this runs for nearly every inbound message.
    connection = session if isinstance(session, Connection) else session.connection()  # the SMS webhook has no Session
    for text in texts:
        _INLINE_REPLY.execute(connection, {
            "participant_id": participant_id, "conversation_id": conversation_id, "inbound_id": inbound_id,
            "channel": channel, "kind": "reply", "text": text, "status": OutboundMessage.INLINE, "attempts": 0,
            "created_at": now, "sent_at": now})


_INLINE_REPLY = Prepared(OutboundMessage.__table__.insert())


def queue_message(session: Session, participant_id: int, channel: str, text: str, kind: str, now: datetime,
                  conversation_id: int | None = None, dedupe_key: str | None = None) -> int | None:
    """Record a message to send; return its id, or None when `dedupe_key` was already used."""
    values = {
        "participant_id": participant_id, "conversation_id": conversation_id, "channel": SEND_CHANNEL.get(channel, channel),
        "kind": kind, "text": text, "status": OutboundMessage.QUEUED, "created_at": now, "dedupe_key": dedupe_key,
        "attempts": 0, "next_attempt_at": now,  # due at once: `outbox retry` finds it if its job is lost
    }
    if dedupe_key is None:
        message = OutboundMessage(**values)
        session.add(message)
        session.flush()
        return message.id
    return insert_ignore(session, OutboundMessage, values, ("dedupe_key",))


def address_for(session: Session, participant_id: int, channel: str) -> str | None:
    """The address to reach a participant on a channel, if we have one."""
    scheme = SCHEME_OF_CHANNEL.get(channel)
    return session.scalar(
        select(ChannelAddress.address)
        .where(ChannelAddress.participant_id == participant_id, ChannelAddress.scheme == scheme)
        .order_by(ChannelAddress.id.desc())
        .limit(1)
    )


def claim(session: Session, message_id: int) -> tuple[OutboundMessage, Participant] | None:
    """Lock a queued message for sending; None when it was already sent, failed for good, or skipped."""
    message = session.scalar(select(OutboundMessage).where(OutboundMessage.id == message_id).with_for_update())
    if message is None or message.status != OutboundMessage.QUEUED:
        return None
    participant = session.get(Participant, message.participant_id)
    return message, participant  # type: ignore[return-value]


SenderFactory = Callable[[str], Sender]
