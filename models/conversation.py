"""A participant's run through a consultation, and the answers it recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, JSONType, UTCDateTime, utcnow
from models.consultation import Consultation


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_participant_status", "participant_id", "status"),
        Index("ix_conversations_consultation_status", "consultation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random public id of the response, for exports: reveals neither order nor participant.
    response_id: Mapped[str] = mapped_column(String(32), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))  # channel it started on: sms, ussd, telegram
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # see flows.state.STATUSES
    current_question: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSONType)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    answers: Mapped[list[Answer]] = relationship(back_populates="conversation", order_by="Answer.id")
    consultation: Mapped[Consultation] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<Conversation {self.response_id} {self.status}>"


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)  # None when recorded as invalid
    raw_text: Mapped[str] = mapped_column(Text)
    valid: Mapped[bool] = mapped_column(default=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="answers")
