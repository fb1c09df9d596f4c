"""The statements every inbound message runs: SQLAlchemy Core on the caller's connection, never ORM objects.

Nearly every message is the answer of someone mid-conversation. For that case the transaction
is four statements (lock the sender with their conversation, record the message, save the
answer, save the conversation; on PostgreSQL the first two are one, and so are the last two) and
the reply the channel records. Loading and flushing ORM objects for the same work cost several
times the CPU of the statements themselves (bench/webhooks.py), and so they did on the general path
(first contacts, new conversations), which now runs Core statements too. The statements are built
once, at import, compiled once per dialect, and run on the driver's cursor with each message's
values (palabre/prepared.py).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, insert, literal_column, select, true, update
from sqlalchemy.dialects import postgresql

from flows.events import AnswerCleared, AnswerRecorded, Event, Finished, LanguageChanged, OptedOut
from flows.state import ACTIVE, COMPLETED, OPTED_OUT, State
from models import Answer, ChannelAddress, Consultation, Conversation, InboundMessage, OutboundMessage, Participant
from palabre import identity
from palabre.outbound import record_inline_replies
from palabre.prepared import Prepared
from palabre.upsert import insert_ignore_statement, upsert_statement

log = logging.getLogger("palabre.inbound")  # the inbound path logs under one name, as before this module took its statements

_participants, _addresses, _conversations = Participant.__table__, ChannelAddress.__table__, Conversation.__table__
_answers, _inbound, _consultations = Answer.__table__, InboundMessage.__table__, Consultation.__table__
_outbound = OutboundMessage.__table__


@dataclass(frozen=True)
class Live:
    """A participant who may answer now, locked with their latest conversation, which is active."""

    participant_id: int
    conversation_id: int
    consultation_id: int
    flow_sha256: str
    state: State


@dataclass(frozen=True)
class Latest:
    """A participant's latest conversation, locked, whatever its status."""

    id: int
    consultation_id: int
    flow_sha256: str
    status: str
    language: str
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
INBOUND_CONFLICT = ("channel", "external_id")


def _lock_and_record() -> Any:
    """_LOCK_LIVE and the message's insert in one round trip: PostgreSQL's data-modifying WITH.

    The message is inserted whether the sender is live or not, linked to them when they are; a retry
    finds the first one's row and gets no id. Its text is kept only for a live sender: for anyone else
    `link_inbound` writes it once the general path knows whether to keep it (an opted-out sender's is not).
    """
    live = _LOCK_LIVE.cte("live")
    one = select(literal_column("1").label("one")).subquery("one")
    text = case((live.c[0].is_(None), ""), else_=bindparam("text", type_=_inbound.c.text.type))
    values = (select(bindparam("channel", type_=_inbound.c.channel.type), bindparam("external_id", type_=_inbound.c.external_id.type),
                     text, bindparam("received_at", type_=_inbound.c.received_at.type), live.c[0], live.c[1])
              .select_from(one.outerjoin(live, true())))
    recorded = (postgresql.insert(_inbound)
                .from_select(["channel", "external_id", "text", "received_at", "participant_id", "conversation_id"], values)
                .on_conflict_do_nothing(index_elements=list(INBOUND_CONFLICT)).returning(_inbound.c.id).cte("recorded"))
    return select(recorded.c.id, *live.c).select_from(one.outerjoin(live, true()).outerjoin(recorded, true()))


_LOCK_AND_RECORD = Prepared(_lock_and_record())
_LINK_INBOUND = Prepared(update(_inbound).where(_inbound.c.id == bindparam("inbound_id")))

# The general path (first contact, opted out, nothing under way): the participant by address, locked.
# Messages from one person are applied one after the other even before there is a conversation to lock
# (two first messages must not start two conversations).
_FIND_PARTICIPANT = Prepared(
    select(_participants.c.id, _participants.c.opted_out_at).select_from(_addresses)
    .join(_participants, _participants.c.id == _addresses.c.participant_id)
    .where(_addresses.c.scheme == bindparam("scheme"), _addresses.c.address_hash == bindparam("hash"))
    .with_for_update(of=_participants))
_PARTICIPANT_BY_PSEUDONYM = Prepared(
    select(_participants.c.id, _participants.c.opted_out_at).where(_participants.c.pseudonym == bindparam("pseudonym"))
    .with_for_update())
_CREATE_PARTICIPANT = Prepared(lambda dialect: insert_ignore_statement(dialect, _participants, ("pseudonym",)))
_LINK_ADDRESS = Prepared(lambda dialect: insert_ignore_statement(dialect, _addresses, ("scheme", "address_hash")))
_LATEST = Prepared(
    select(_conversations.c.id, _conversations.c.consultation_id, _consultations.c.flow_sha256, _conversations.c.status,
           _conversations.c.language, _conversations.c.state)
    .join(_consultations, _consultations.c.id == _conversations.c.consultation_id)
    .where(_conversations.c.participant_id == bindparam("participant_id"))
    .order_by(_conversations.c.id.desc()).limit(1)
    .with_for_update(of=_conversations))

# The columns to set are the keys of the values each call passes.
_SAVE_CONVERSATION = Prepared(update(_conversations).where(_conversations.c.id == bindparam("conversation_id")))
_CLEAR_ANSWER = Prepared(delete(_answers).where(_answers.c.conversation_id == bindparam("conversation_id"),
                                                _answers.c.question_id == bindparam("question_id")))
_OPT_OUT = Prepared(update(_participants).where(_participants.c.id == bindparam("participant_id")))


ANSWER_CONFLICT, ANSWER_UPDATE = ("conversation_id", "question_id"), ("value", "raw_text", "valid", "answered_at")
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


@dataclass(frozen=True)
class Replies:
    """What the channel answers inline (TwiML), recorded as sent with the turn that caused it."""

    texts: list[str]
    channel: str
    inbound_id: int | None


def _with_replies(save: Prepared, count: int) -> Prepared:
    """`save` with the insert of `count` inline replies in a WITH (PostgreSQL): one round trip less a message."""
    def build(dialect: str):
        statement = save.statement(dialect) if callable(save.statement) else save.statement
        column = _outbound.c
        # The row palabre.outbound.record_inline_replies writes: a reply, sent inline, never attempted by a job.
        rows = [{"participant_id": bindparam("reply_participant_id", type_=column.participant_id.type),
                 "conversation_id": bindparam("reply_conversation_id", type_=column.conversation_id.type),
                 "inbound_id": bindparam("reply_inbound_id", type_=column.inbound_id.type),
                 "channel": bindparam("reply_channel", type_=column.channel.type),
                 "kind": bindparam("reply_kind", "reply", type_=column.kind.type),
                 "text": bindparam(f"reply_text_{i}", type_=column.text.type),
                 "status": bindparam("reply_status", OutboundMessage.INLINE, type_=column.status.type),
                 "attempts": bindparam("reply_attempts", 0, type_=column.attempts.type),
                 "created_at": bindparam("reply_at", type_=column.created_at.type),
                 "sent_at": bindparam("reply_at", type_=column.sent_at.type)} for i in range(count)]
        return statement.add_cte(insert(_outbound).values(rows).cte("reply"))
    return Prepared(build)


_SAVES_WITH_REPLIES: dict[tuple[bool, int], Prepared] = {}
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


def lock_and_record(connection: Connection, scheme: str, address_hash: str, channel: str, external_id: str, text: str,
                    now: datetime) -> tuple[Live | None, int | None]:
    """Lock the sender as `lock_live` does and record the message once: (the live sender or None, the message's id).

    The id is None when the channel's id was already stored (a retry). The message is linked to a live
    sender's conversation and keeps its text; for anyone else the general path calls `link_inbound`.
    """
    values = {"scheme": scheme, "hash": address_hash, "channel": channel, "external_id": external_id, "text": text,
              "received_at": now}
    if connection.dialect.name != "postgresql":  # SQLite has no data-modifying WITH: two statements
        live = lock_live(connection, scheme, address_hash)
        if live is None:
            values.update(text="", participant_id=None, conversation_id=None)
        else:
            values.update(participant_id=live.participant_id, conversation_id=live.conversation_id)
        del values["scheme"], values["hash"]
        rows = _RECORD_INBOUND.execute(connection, values)
        return live, (rows[0][0] if rows else None)
    inbound_id, participant_id, conversation_id, consultation_id, sha256, state = _LOCK_AND_RECORD.execute(connection, values)[0]
    live = None if participant_id is None else Live(participant_id=participant_id, conversation_id=conversation_id,
                                                      consultation_id=consultation_id, flow_sha256=sha256,
                                                      state=State.from_json(state))
    return live, inbound_id


def link_inbound(connection: Connection, inbound_id: int, participant_id: int, conversation_id: int | None, text: str) -> None:
    """Attach a recorded message to its participant and conversation, with the text kept ('' when it must not be)."""
    _LINK_INBOUND.execute(connection, {"inbound_id": inbound_id, "participant_id": participant_id,
                                       "conversation_id": conversation_id, "text": text})


def find_or_create_participant(connection: Connection, key: str, scheme: str, address: str, address_hash: str,
                               now: datetime) -> tuple[int, datetime | None]:
    """The participant behind an address, locked, created on first contact: (their id, when they opted out)."""
    rows = _FIND_PARTICIPANT.execute(connection, {"scheme": scheme, "hash": address_hash})
    if rows:
        return rows[0]
    pseudonym = identity.pseudonym(key, scheme, address)
    # Two first messages at once: the second insert waits for the first transaction, then does nothing.
    created = _CREATE_PARTICIPANT.execute(connection, {"pseudonym": pseudonym, "created_at": now})
    link = {"scheme": scheme, "address_hash": address_hash, "address": address, "created_at": now}
    if not created:
        # Known by pseudonym but not by address: a first message racing ours, or someone whose address was
        # erased or dropped by retention (an erased person stays opted out). Link the address again.
        participant_id, opted_out_at = _PARTICIPANT_BY_PSEUDONYM.execute(connection, {"pseudonym": pseudonym})[0]
        _LINK_ADDRESS.execute(connection, {"participant_id": participant_id, **link})
        return participant_id, opted_out_at
    _LINK_ADDRESS.execute(connection, {"participant_id": created[0][0], **link})
    log.info("new participant %s on %s", pseudonym, scheme)
    return created[0][0], None


def latest_conversation(connection: Connection, participant_id: int) -> Latest | None:
    """The participant's latest conversation, whatever its status, locked until commit."""
    rows = _LATEST.execute(connection, {"participant_id": participant_id})
    if not rows:
        return None
    id_, consultation_id, sha256, status, language, state = rows[0]
    return Latest(id=id_, consultation_id=consultation_id, flow_sha256=sha256, status=status, language=language,
                  state=State.from_json(state))


def save_state(connection: Connection, conversation_id: int, state: State) -> None:
    """Write a conversation's state and status only (an expiry: where it was dropped stays, for the funnel)."""
    _SAVE_CONVERSATION.execute(connection, {"conversation_id": conversation_id, "state": state.to_json(), "status": state.status})


def set_opted_out(connection: Connection, participant_id: int, when: datetime | None) -> None:
    """Record an opt-out (None: opted back in)."""
    _OPT_OUT.execute(connection, {"participant_id": participant_id, "opted_out_at": when})


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
              now: datetime, replies: Replies | None = None) -> None:
    """Write what the engine decided: answers, the conversation's state and status, an opt-out; and the replies given."""
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
    if replies is None or not replies.texts:
        save.execute(connection, values)
    elif connection.dialect.name == "postgresql":
        key = (save is _SAVE_ANSWER_AND_CONVERSATION, len(replies.texts))
        folded = _SAVES_WITH_REPLIES.get(key) or _SAVES_WITH_REPLIES.setdefault(key, _with_replies(save, len(replies.texts)))
        values.update(reply_participant_id=participant_id, reply_conversation_id=conversation_id,
                      reply_inbound_id=replies.inbound_id, reply_channel=replies.channel, reply_at=now)
        values.update((f"reply_text_{i}", text) for i, text in enumerate(replies.texts))
        folded.execute(connection, values)
    else:
        save.execute(connection, values)
        record_inline_replies(connection, participant_id, replies.channel, replies.texts, conversation_id, replies.inbound_id, now)
