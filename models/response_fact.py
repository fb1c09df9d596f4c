"""What the profile needs from one completed response: its group values and deprivation pattern.

Written by the aggregation job for each newly completed conversation (derived data, rebuilt
whenever the flow's profile changes), so that a profile over a million responses is one
GROUP BY over narrow rows instead of a pass over every answer.

No foreign keys: checking two of them for each of a million rows written by a rebuild took a
third of its time (BENCHMARKS.md, issue #14). Facts still go with their response: a trigger on
`conversations` (migration 0009) deletes a deleted conversation's facts, whether it was deleted
itself, with its participant or with its consultation.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ResponseFact(Base):
    __tablename__ = "response_facts"
    __table_args__ = (Index("ix_response_facts_consultation_key", "consultation_id", "facts_key"),)

    # The conversation's id (conversations.id): one fact per completed response.
    conversation_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The conversation's consultation, copied so that a profile reads the facts alone.
    consultation_id: Mapped[int] = mapped_column(Integer)
    # Hash of the profile definition the row was computed with (profiles.facts.facts_key).
    facts_key: Mapped[str] = mapped_column(String(16))
    # JSON array of the values of profile.groups, in order: codes, band labels or null.
    groups: Mapped[str] = mapped_column(Text)
    # Bit j set when the respondent is deprived in the profile's indicator j (at most 62 indicators).
    deprived: Mapped[int] = mapped_column(BigInteger)
    # Bit j set when the respondent chose choice j of the `helper` question; null when unanswered.
    helpers: Mapped[int | None] = mapped_column(Integer)
