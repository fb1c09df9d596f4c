"""WhatsApp's 24-hour rule: free text only within 24 hours of the person's last message, else an approved template.

Meta's rule, enforced by Twilio (error 63016): a business may answer freely for 24 hours after a person's
message; to start a conversation after that, it must send a template Meta approved beforehand. So an
invitation, a reminder or a "you said, we did" message on WhatsApp needs WHATSAPP_TEMPLATE_SID (a Twilio
Content SID, HX...) unless the person wrote in the last 24 hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import InboundMessage
from palabre.config import Config

CHANNEL = "whatsapp"
SESSION_WINDOW = timedelta(hours=24)
NO_TEMPLATE = ("outside WhatsApp's 24-hour window and no approved template: set WHATSAPP_TEMPLATE_SID "
               "(a Twilio Content SID, HX...) to write to people who have not written in the last 24 hours")


def last_message_at(session: Session, participant_id: int) -> datetime | None:
    """When the person last wrote to us on WhatsApp."""
    return session.scalar(select(InboundMessage.received_at)
                          .where(InboundMessage.participant_id == participant_id, InboundMessage.channel == CHANNEL)
                          .order_by(InboundMessage.received_at.desc()).limit(1))


def refusal(session: Session, config: Config, participant_id: int, now: datetime) -> str | None:
    """Why a message we start cannot go to this person on WhatsApp now, or None when it can."""
    if config.WHATSAPP_TEMPLATE_SID:
        return None
    last = last_message_at(session, participant_id)
    if last is not None and now - last < SESSION_WINDOW:
        return None
    return NO_TEMPLATE
