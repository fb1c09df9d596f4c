"""The reminder job: one nudge, before expiry, to each conversation left mid-way."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from palabre.sms_segments import count_segments, to_gsm_friendly
from bots.text import render_ask
from flows.engine import ask
from flows.messages import message
from flows.model import Flow
from flows.state import ACTIVE, State
from models import OPEN, Consultation, Conversation, Invitation, Participant, utcnow
from palabre import whatsapp_window
from palabre.consultations import flow_of
from palabre.outbound import queue_message
from workers.context import job_app, job_session
from workers.send import queue_send

log = logging.getLogger(__name__)


def send_reminders(consultation_id: int, now: datetime | None = None) -> int:
    """Queue one reminder per stalled conversation of a consultation; return how many were queued.

    Stalled: active, and idle for more than REMINDER_AFTER_HOURS but less than
    CONVERSATION_IDLE_HOURS (after that it has expired). Safe to run as often as wanted:
    the key `remind:{conversation_id}` lets each conversation be reminded once, ever.
    """
    now = now or utcnow()
    queued: list[int] = []
    with job_session() as session:
        settings = job_app().extensions["palabre.config"]
        consultation = session.get(Consultation, consultation_id)
        if consultation is None or consultation.status != OPEN:
            return 0
        flow = flow_of(consultation)
        stalled = session.execute(
            select(Conversation.id, Conversation.participant_id, Conversation.channel, Conversation.state)
            .join(Participant, Participant.id == Conversation.participant_id)
            .where(Conversation.consultation_id == consultation_id, Conversation.status == ACTIVE,
                   Conversation.last_activity_at < now - timedelta(hours=settings.REMINDER_AFTER_HOURS),
                   Conversation.last_activity_at > now - timedelta(hours=settings.CONVERSATION_IDLE_HOURS),
                   Participant.opted_out_at.is_(None))
            .order_by(Conversation.id)
        ).all()
        for conversation_id, participant_id, channel, state in stalled:
            if channel == whatsapp_window.CHANNEL and whatsapp_window.refusal(session, settings, participant_id, now):
                continue  # idle for a day: past WhatsApp's 24 hours, and no approved template to write first
            text = reminder_text(flow, State.from_json(state), settings.SMS_MAX_SEGMENTS)
            message_id = queue_message(session, participant_id, channel, text, "reminder", now,
                                       conversation_id=conversation_id, dedupe_key=f"remind:{conversation_id}")
            if message_id is None:
                continue  # reminded already
            queued.append(message_id)
            session.execute(update(Invitation).where(
                Invitation.consultation_id == consultation_id, Invitation.participant_id == participant_id,
            ).values(reminded_at=now))
        session.commit()
    for message_id in queued:
        queue_send(message_id)
    log.info("consultation %s: %s reminders queued", consultation_id, len(queued))
    return len(queued)


def reminder_text(flow: Flow, state: State, max_segments: int) -> str:
    """The reminder line and the question the conversation stopped at, within the SMS budget."""
    line = message(flow, "reminder", state.language)
    if state.current is None:
        return line
    question = render_ask(ask(flow, state, flow.question(state.current)))
    for text in (f"{line}\n{question}", question):
        for candidate in (text, to_gsm_friendly(text)):
            if count_segments(candidate).segments <= max_segments:
                return candidate
    return line
