"""Calls we make: a callback to whoever rang, never to the opted out, never a second one while one is under way;
and a call that only says something (a "you said, we did" message to someone who answered by phone)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models import Consultation, Invitation, OutboundMessage
from palabre.config import Config
from palabre.identity import TEL
from palabre.inbound import find_or_create_participant
from palabre.outbound import queue_message

CHANNEL = "voice"
# A call we queued, placed or that is ringing or in progress has one of these statuses until its
# status callback says how it ended; ringing again meanwhile must not start a second call.
UNDER_WAY = ("queued", "sending", "sent")
# A call whose status callback never came (a lost request) stops blocking callbacks after this.
UNDER_WAY_FOR = timedelta(minutes=15)
# The text stored for a call: the call itself says the flow's prompts, step by step.
CALL_TEXT = "(appel / call)"
# Calls that say their message's text and hang up, instead of running the consultation.
SAYING_KINDS = ("feedback",)


def request_callback(session: Session, config: Config, phone: str, call_sid: str, now: datetime) -> int | None:
    """Queue a call back to someone who rang; None when they opted out or a call to them is under way."""
    participant = find_or_create_participant(session, config.PSEUDONYM_KEY, TEL, phone, now)
    if participant.opted_out:
        return None
    under_way = session.scalar(select(OutboundMessage.id).where(
        OutboundMessage.participant_id == participant.id, OutboundMessage.channel == CHANNEL,
        OutboundMessage.status.in_(UNDER_WAY), OutboundMessage.created_at >= now - UNDER_WAY_FOR).limit(1))
    if under_way is not None:
        return None
    # Twilio retries a ring it got no answer to: the same CallSid queues one call back, not two.
    return queue_message(session, participant.id, CHANNEL, CALL_TEXT, "callback", now, dedupe_key=f"callback:{call_sid[:64]}")


def invited_to(session: Session | Connection, call_sid: str) -> str | None:
    """The slug of the consultation a call we placed invites to (None for a callback, or a call we did not place)."""
    return session.scalar(
        select(Consultation.slug).join(Invitation, Invitation.consultation_id == Consultation.id)
        .join(OutboundMessage, OutboundMessage.id == Invitation.message_id)
        .where(OutboundMessage.external_id == call_sid[:128], OutboundMessage.channel == CHANNEL)
    )


def said_by_call(session: Session | Connection, call_sid: str) -> tuple[str, int] | None:
    """The text and participant of a call we placed to say a message (feedback), or None for any other call."""
    row = session.execute(
        select(OutboundMessage.text, OutboundMessage.participant_id)
        .where(OutboundMessage.external_id == call_sid[:128], OutboundMessage.channel == CHANNEL,
               OutboundMessage.kind.in_(SAYING_KINDS))
    ).first()
    return (row[0], row[1]) if row is not None else None
