"""A citizen, known only by a pseudonym, and the addresses we may reply to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    # HMAC of the first address seen; what exports, dashboards and logs show.
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    addresses: Mapped[list[ChannelAddress]] = relationship(back_populates="participant")

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    def __repr__(self) -> str:  # never the address
        return f"<Participant {self.pseudonym}>"


class ChannelAddress(Base):
    """Where to reach a participant: a phone number (SMS and USSD share it) or a Telegram chat."""

    __tablename__ = "channel_addresses"
    __table_args__ = (UniqueConstraint("scheme", "address_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(16))  # "tel" or "telegram"
    address_hash: Mapped[str] = mapped_column(String(64))  # HMAC, for lookups
    # The address itself, kept only because replies need it; never exported or logged.
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="addresses")

    def __repr__(self) -> str:
        return f"<ChannelAddress {self.scheme} of participant {self.participant_id}>"
