"""Every message in and out, with the platform's id so that a retried webhook is seen as a repeat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))  # Twilio MessageSid, Telegram update_id, ...
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_status", "status"), Index("ix_outbound_messages_due", "status", "next_attempt_at"))

    QUEUED, SENT, DELIVERED, FAILED, SKIPPED, INLINE = "queued", "sent", "delivered", "failed", "skipped", "inline"
    UNKNOWN = "unknown"  # the request may have reached the platform, no answer came: an operator checks, never resent

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="reply", server_default="reply")  # reply, invitation, reminder, feedback
    # Set for messages that must go out at most once (an invitation, a broadcast to one person):
    # a second attempt to queue the same key finds the first row instead.
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    text: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # "inline": given back in the webhook's own response (TwiML, USSD screen); others go through a job.
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    error: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a send failed for now: the message is due again from then (RQ's retry, or `outbox retry`).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
