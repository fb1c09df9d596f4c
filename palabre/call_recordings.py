"""Recorded answers: a caller's free-text answer kept as Twilio's recording id, heard by staff only.

    the call: consent (1 yes, 2 skip) -> <Record> -> Twilio posts RecordingSid, RecordingUrl, RecordingDuration
    the answer row: `[recording]` (what exports, the API and every page show)
    call_recordings: the recording's id and path at Twilio, for the staff-only listening route

The audio stays at Twilio (whose account the authority pays); nothing here holds a phone number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from models.call_recording import CallRecording
from palabre.upsert import insert_ignore

# The answer a recording stands for: the same in every language, so that a spreadsheet can count them.
RECORDED_ANSWER = "[recording]"
RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")
# Twilio's RecordingUrl: https://api.twilio.com/2010-04-01/Accounts/AC.../Recordings/RE... (no extension).
RECORDING_PATH = re.compile(r"^/2010-04-01/Accounts/AC[0-9a-fA-F]{32}/Recordings/(RE[0-9a-fA-F]{32})$")


@dataclass(frozen=True)
class Recording:
    """A recording Twilio made of a caller's answer: its id, its path at Twilio's API, its length in seconds."""

    sid: str
    path: str
    duration_seconds: int | None


def store_recording(db: Session | Connection, conversation_id: int, question_id: str, recording: Recording,
                    now: datetime) -> int | None:
    """Keep a recorded answer's reference once (a recording id seen before is not stored again: None). The caller commits."""
    return insert_ignore(db, CallRecording, {
        "conversation_id": conversation_id, "question_id": question_id, "recording_sid": recording.sid,
        "recording_path": recording.path, "duration_seconds": recording.duration_seconds, "recorded_at": now,
    }, ("recording_sid",))


def recordings_by_answer(session: Session, conversation_ids: list[int]) -> dict[tuple[int, str], int]:
    """(conversation id, question id) -> the id of its recording, for these conversations."""
    if not conversation_ids:
        return {}
    rows = session.execute(select(CallRecording.conversation_id, CallRecording.question_id, CallRecording.id)
                           .where(CallRecording.conversation_id.in_(conversation_ids)))
    return {(conversation_id, question_id): id_ for conversation_id, question_id, id_ in rows}
