"""A consultation: one flow file, opened to citizens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow

DRAFT, OPEN, CLOSED = "draft", "open", "closed"


class Consultation(Base):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    flow_yaml: Mapped[str] = mapped_column(Text)  # the flow as loaded: conversations run on this text
    flow_sha256: Mapped[str] = mapped_column(String(64))
    keywords: Mapped[list] = mapped_column(JSONType, default=list)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug} {self.status}>"
