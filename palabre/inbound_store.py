"""The statements every inbound message runs: SQLAlchemy Core on the session's connection, not ORM objects.

Nearly every message is the answer of someone mid-conversation. For that case the transaction
is four statements (lock the sender with their conversation, record the message, save the
answer, save the conversation; on PostgreSQL the last two are one) and the reply the channel records. Loading and flushing ORM
objects for the same work cost several times the CPU of the statements themselves
(bench/webhooks.py). The statements are built once, at import, compiled once per dialect, and run
on the driver's cursor with each message's values (palabre/prepared.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from flows.events import AnswerCleared, AnswerRecorded, Event, Finished, LanguageChanged, OptedOut
from flows.state import ACTIVE, COMPLETED, OPTED_OUT, State
from models import Answer, ChannelAddress, Consultation, Conversation, InboundMessage, Participant
from palabre.prepared import Prepared
from palabre.upsert import insert_ignore_statement, upsert_statement

_participants, _addresses, _conversations = Participant.__table__, ChannelAddress.__table__, Conversation.__table__
_answers, _inbound, _consultations = Answer.__table__, InboundMessage.__table__, Consultation.__table__


@dataclass(frozen=True)
class Live:
    """A participant who may answer now, locked with their latest conversation, which is active."""

    participant_id: int
    conversation_id: int
    consultation_id: int
    flow_sha256: str
    state: State


# The sender's participant and latest conversation, both locked: messages from one person are
# applied one after the other, in order (FOR UPDATE is left out on SQLite, whose BEGIN IMMEDIATE
# already serialises writers). Anyone else (first contact, opted out, nothing under way) gets None
# here and takes the general path.
_newer = _conversations.alias("newer")
_LOCK_LIVE = (
    select(_participants.c.id, _conversations.c.id, _conversations.c.consultation_id, _consultations.c.flow_sha256,
           _conversations.c.state)
    .select_from(_addresses)
    .join(_participants, _participants.c.id == _addresses.c.participant_id)
    .join(_conversations, _conversations.c.participant_id == _participants.c.id)
    .join(_consultations, _consultations.c.id == _conversations.c.consultation_id)
    .where(_addresses.c.scheme == bindparam("scheme"), _addresses.c.address_hash == bindparam("hash"),
           _participants.c.opted_out_at.is_(None), _conversations.c.status == ACTIVE,
           # the latest conversation: found from the participant's few, by index, whatever the statistics say
           ~select(_newer.c.id).where(_newer.c.participant_id == _participants.c.id, _newer.c.id > _conversations.c.id)
           .exists())
    .with_for_update(of=[_participants, _conversations])
)
_LOCK_LIVE_RUN = Prepared(_LOCK_LIVE)

# The columns to set are the keys of the values each call passes.
_SAVE_CONVERSATION = Prepared(update(_conversations).where(_conversations.c.id == bindparam("conversation_id")))
_CLEAR_ANSWER = Prepared(delete(_answers).where(_answers.c.conversation_id == bindparam("conversation_id"),
                                                _answers.c.question_id == bindparam("question_id")))
_OPT_OUT = Prepared(update(_participants).where(_participants.c.id == bindparam("participant_id")))


ANSWER_CONFLICT, ANSWER_UPDATE = ("conversation_id", "question_id"), ("value", "raw_text", "valid", "answered_at")
INBOUND_CONFLICT = ("channel", "external_id")
_SAVE_ANSWER = Prepared(lambda dialect: upsert_statement(dialect, _answers, ANSWER_CONFLICT, ANSWER_UPDATE))
_RECORD_INBOUND = Prepared(lambda dialect: insert_ignore_statement(dialect, _inbound, INBOUND_CONFLICT))


def _answer_then_conversation(dialect: str):
    """UPDATE conversations with the answer's upsert in a WITH: one round trip on PostgreSQL (SQLite has no such WITH)."""
    upsert = upsert_statement(dialect, _answers, ANSWER_CONFLICT, ANSWER_UPDATE).values(
        conversation_id=bindparam("answer_conversation_id"), question_id=bindparam("answer_question_id"),
        value=bindparam("answer_value", type_=_answers.c.value.type), raw_text=bindparam("answer_raw_text"),
        valid=bindparam("answer_valid"), answered_at=bindparam("answer_answered_at", type_=_answers.c.answered_at.type))
    return _SAVE_CONVERSATION.statement.add_cte(upsert.cte("answer"))


_SAVE_ANSWER_AND_CONVERSATION = Prepared(_answer_then_conversation)
_START_CONVERSATION = Prepared(insert(_conversations).returning(_conversations.c.id))
# What save_step writes besides the state: a new conversation's first turn needs it only if one of these came of it.
WRITTEN_EVENTS = (AnswerRecorded, AnswerCleared, LanguageChanged, OptedOut)


def lock_live(connection: Connection, scheme: str, address_hash: str) -> Live | None:
    """The sender, if they are known, not opted out and in an active conversation; locked until commit."""
    rows = _LOCK_LIVE_RUN.execute(connection, {"scheme": scheme, "hash": address_hash})
    if not rows:
        return None
    row = rows[0]
    return Live(participant_id=row[0], conversation_id=row[1], consultation_id=row[2], flow_sha256=row[3],
                state=State.from_json(row[4]))


def record_inbound(connection: Connection, channel: str, external_id: str, text: str, now: datetime,
                   participant_id: int, conversation_id: int) -> int | None:
    """Store a message once, under its channel's id; None when that id was already stored (a retry)."""
    values = {"channel": channel, "external_id": external_id, "text": text, "received_at": now,
              "participant_id": participant_id, "conversation_id": conversation_id}
    rows = _RECORD_INBOUND.execute(connection, values)
    return rows[0][0] if rows else None


def start_conversation(connection: Connection, participant_id: int, consultation_id: int, channel: str, state: State,
                       now: datetime) -> int:
    """Store a conversation as the engine started it (status, question, state); its id."""
    return _START_CONVERSATION.execute(connection, {
        "response_id": secrets.token_hex(8), "participant_id": participant_id, "consultation_id": consultation_id,
        "channel": channel, "language": state.language, "status": state.status, "current_question": state.current,
        "state": state.to_json(), "started_at": now, "last_activity_at": now,
        "completed_at": now if state.status == COMPLETED else None,
    })[0][0]


def save_step(connection: Connection, participant_id: int, conversation_id: int, state: State, events: list[Event],
              now: datetime) -> None:
    """Write what the engine decided: answers, the conversation's state and status, an opt-out."""
    values: dict[str, Any] = {"conversation_id": conversation_id, "state": state.to_json(), "status": state.status,
                              "current_question": state.current, "last_activity_at": now}
    recorded = [event for event in events if isinstance(event, AnswerRecorded)]
    if (len(recorded) == 1 and connection.dialect.name == "postgresql"
            and not any(isinstance(event, (AnswerCleared, OptedOut)) for event in events)):
        # The usual answer: one statement (a data-modifying WITH) saves it and the conversation.
        answer = recorded[0]
        values.update(answer_conversation_id=conversation_id, answer_question_id=answer.question_id, answer_value=answer.value,
                      answer_raw_text=answer.raw, answer_valid=answer.valid, answer_answered_at=now)
        recorded = []
        save: Prepared = _SAVE_ANSWER_AND_CONVERSATION
    else:
        save = _SAVE_CONVERSATION
    for event in events:
        if isinstance(event, AnswerRecorded) and recorded:
            _SAVE_ANSWER.execute(connection, {
                "conversation_id": conversation_id, "question_id": event.question_id, "value": event.value,
                "raw_text": event.raw, "valid": event.valid, "answered_at": now,
            })
        elif isinstance(event, AnswerCleared):
            _CLEAR_ANSWER.execute(connection, {"conversation_id": conversation_id, "question_id": event.question_id})
        elif isinstance(event, LanguageChanged):
            values["language"] = event.language
        elif isinstance(event, OptedOut):
            _OPT_OUT.execute(connection, {"participant_id": participant_id, "opted_out_at": now})
        elif isinstance(event, Finished) and event.status != OPTED_OUT:
            values["completed_at"] = now
    save.execute(connection, values)
