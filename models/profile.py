"""Computed exclusion-risk profiles, and the census margins they are weighted to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JSONType, UTCDateTime, utcnow


class ProfileSnapshot(Base):
    """One complete computation of a consultation's profile; pages read the latest, never compute."""

    __tablename__ = "profile_snapshots"
    __table_args__ = (Index("ix_profile_snapshots_consultation_computed", "consultation_id", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responses: Mapped[int]  # completed responses included
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the same keys as `profiles compute --format json`


class CensusTargets(Base):
    """The population margins (CSV `variable,value,population`) a consultation's profile is raked to."""

    __tablename__ = "census_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), unique=True)
    csv_text: Mapped[str] = mapped_column(Text)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
