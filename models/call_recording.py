"""A caller's answer to a free-text question, recorded on the call: Twilio keeps the audio, we keep its id.

The answer itself is stored as `[recording]` (palabre.call_recordings.RECORDED_ANSWER), so exports, the API
and every page show that and nothing else; only this table, read by the staff-only dashboard, says where
the audio is. Erasing a participant deletes these rows with their conversations.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CallRecording(Base):
    __tablename__ = "call_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)  # RE + 32 hex digits
    # The path of Twilio's RecordingUrl as posted (/2010-04-01/Accounts/AC.../Recordings/RE...): fetched at TWILIO_API_URL.
    recording_path: Mapped[str] = mapped_column(String(200))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<CallRecording {self.id} of conversation {self.conversation_id}>"
