"""One row per conversation, one column per question: the CSV officials and analysts take away.

No phone number or Telegram id is ever written: participants appear by pseudonym only.
"""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from typing import IO, Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.model import RESERVED_IDS, Flow
from models import Answer, Consultation, Conversation, Participant
from palabre.consultations import flow_of

BASE_COLUMNS = RESERVED_IDS  # question ids can never clash with these
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIME_COLUMNS = ("started_at", "completed_at")
BOM = "\ufeff"  # written as EF BB BF in UTF-8


def columns(flow: Flow) -> list[str]:
    """The export's header: the fixed columns, then the question ids in flow order."""
    return [*BASE_COLUMNS, *(q.id for q in flow.questions)]


def export_rows(session: Session, consultation: Consultation) -> Iterator[dict[str, str]]:
    """Every conversation of a consultation as a flat row of strings, oldest first."""
    for row in export_records(session, consultation):
        yield {**row, **{name: _time(row[name]) for name in TIME_COLUMNS}}


def export_records(session: Session, consultation: Consultation) -> Iterator[dict[str, Any]]:
    """The same rows with `started_at` and `completed_at` as UTC datetimes (None when not completed)."""
    flow = flow_of(consultation)
    kinds = {q.id: q.type for q in flow.questions}
    conversations = session.execute(
        select(Conversation, Participant.pseudonym)
        .join(Participant, Participant.id == Conversation.participant_id)
        .where(Conversation.consultation_id == consultation.id)
        .order_by(Conversation.id)
        .execution_options(yield_per=1000)
    )
    answers = session.execute(
        select(Answer.conversation_id, Answer.question_id, Answer.value)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(Conversation.consultation_id == consultation.id)
        .order_by(Answer.conversation_id)
        .execution_options(yield_per=5000)
    )
    pending = next(answers, None)
    for conversation, pseudonym in conversations:
        row: dict[str, Any] = {
            "response_id": conversation.response_id, "participant": pseudonym, "channel": conversation.channel,
            "language": conversation.language, "status": conversation.status,
            "started_at": _utc(conversation.started_at), "completed_at": _utc(conversation.completed_at),
        }
        row.update({qid: "" for qid in kinds})
        while pending is not None and pending.conversation_id < conversation.id:
            pending = next(answers, None)
        while pending is not None and pending.conversation_id == conversation.id:
            if pending.question_id in kinds:
                row[pending.question_id] = format_value(pending.value, kinds[pending.question_id])
            pending = next(answers, None)
        yield row


def write_csv(session: Session, consultation: Consultation, out: IO[str], excel: bool = False) -> int:
    """Write the CSV export; return the number of rows. `excel`: a byte order mark and CRLF line ends."""
    if excel:
        # Excel for Windows reads a CSV in the ANSI code page (cp1252 in Western Europe) unless it
        # starts with a byte order mark, turning "é" into "Ã©"; with U+FEFF it reads UTF-8.
        out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=columns(flow_of(consultation)), lineterminator="\r\n" if excel else "\n")
    writer.writeheader()
    count = 0
    for row in export_rows(session, consultation):
        writer.writerow(row)
        count += 1
    return count


def format_value(value: Any, kind: str) -> str:
    """An answer as a CSV cell: code, number, yes/no, text; multi-choice codes joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if kind == "text" and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(timezone.utc) if moment else None


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""
