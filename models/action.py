"""What the authority commits to do about the results, and the messages telling citizens about it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow

PLANNED, IN_PROGRESS, DONE = "planned", "in_progress", "done"
ACTION_STATUSES = (PLANNED, IN_PROGRESS, DONE)


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(JSONType)  # per language
    description: Mapped[dict] = mapped_column(JSONType)  # per language
    dimension: Mapped[str | None] = mapped_column(String(64))  # the profile dimension it addresses
    # The groups it addresses, as {"variable": ..., "value": ...}: e.g. district=nord, age=60+.
    groups: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)
    due_date: Mapped[date | None] = mapped_column(Date())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Broadcast(Base):
    """"You said, we did": one message about an action, sent once to each respondent it concerns."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    text: Mapped[dict] = mapped_column(JSONType)  # per language
    # The preview form's one-time key: a double click or a resubmitted form creates no second broadcast.
    form_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
