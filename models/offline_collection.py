"""How a response collected away from the phone channels was collected: the relay, the enumerator, the device.

Written by `responses import` beside the conversation. The enumerator and the device are keyed
hashes (palabre.identity.pseudonym), as participants are: the names and ids the tools export
(KoboToolbox's `_submitted_by`, ODK Central's `SubmitterName`, `DeviceID`) are never stored.
The relay is the association the enumerator named, as typed (spaces tidied): staff pages only.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

RELAY_CHARS = 120  # an association's name; longer text is cut, never refused


class OfflineCollection(Base):
    __tablename__ = "offline_collections"
    __table_args__ = (Index("ix_offline_collections_consultation_enumerator", "consultation_id", "enumerator"),)

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    relay: Mapped[str | None] = mapped_column(String(RELAY_CHARS))
    enumerator: Mapped[str | None] = mapped_column(String(32))  # pseudonym of the submitter's account
    device: Mapped[str | None] = mapped_column(String(32))  # pseudonym of the tablet's id

    def __repr__(self) -> str:
        return f"<OfflineCollection of conversation {self.conversation_id}>"
