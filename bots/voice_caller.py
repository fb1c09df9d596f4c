"""Who is calling, where their call stands, and whether this step was taken already: one statement per step.

A step of a call needs, before its keys can be read, the caller's latest conversation (the
question pending, its language, its flow) and whether Twilio already posted this step (a retry
must never be read against the question asked since). Found through ORM objects, that took five
statements and more CPU than the shared inbound path itself (bench/webhooks.py, voice lines):
here it is one Core statement, compiled once per dialect (palabre/prepared.py).

On PostgreSQL the caller's participant row is locked until the step commits, so that no message of
theirs on another channel moves the pending question between reading the keys and applying
them; the shared inbound path takes the same lock again. SQLite serialises writers already.
A step is stored with its caller: a number nobody has called from has no step to be seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, select

from flows.model import Flow
from flows.state import ACTIVE, State
from models import ChannelAddress, Consultation, Conversation, InboundMessage, Participant
from palabre import identity
from palabre.consultations import flow_by_hash
from palabre.inbound_store import latest_conversation
from palabre.prepared import Prepared

_participants, _addresses, _conversations = Participant.__table__, ChannelAddress.__table__, Conversation.__table__
_inbound, _consultations = InboundMessage.__table__, Consultation.__table__
# The language of someone who has no conversation yet (the shipped flows all speak it).
DEFAULT_LANGUAGE = "fr"


@dataclass(frozen=True)
class Caller:
    """A known caller as this step finds them."""

    participant_id: int
    opted_out: bool
    seen: bool  # this step (CallSid and step number) was already taken
    conversation_id: int | None  # their latest conversation, whatever its status
    status: str | None
    state: State | None
    language: str | None
    consultation_id: int | None
    flow_sha256: str | None

    @property
    def waiting(self) -> bool:
        """Whether a question waits for an answer in their latest conversation."""
        return self.status == ACTIVE and self.state is not None and self.state.current is not None


_latest = (select(func.max(_conversations.c.id)).where(_conversations.c.participant_id == _participants.c.id)
           .correlate(_participants).scalar_subquery())
_seen = (select(_inbound.c.id).where(_inbound.c.channel == bindparam("channel"), _inbound.c.external_id == bindparam("key"))
         .exists())
_CALLER = Prepared(
    select(_participants.c.id, _participants.c.opted_out_at, _seen.label("seen"), _conversations.c.id,
           _conversations.c.status, _conversations.c.state, _conversations.c.language, _conversations.c.consultation_id,
           _consultations.c.flow_sha256)
    .select_from(_addresses)
    .join(_participants, _participants.c.id == _addresses.c.participant_id)
    .outerjoin(_conversations, _conversations.c.id == _latest)
    .outerjoin(_consultations, _consultations.c.id == _conversations.c.consultation_id)
    .where(_addresses.c.scheme == identity.TEL, _addresses.c.address_hash == bindparam("hash"))
    .with_for_update(of=_participants)
)


def find_caller(connection: Connection, pseudonym_key: str, phone: str, channel: str, key: str) -> Caller | None:
    """The caller behind a normalised phone number and whether step `key` was taken; None for a first call."""
    hashed = identity.address_hash(pseudonym_key, identity.TEL, phone)
    rows = _CALLER.execute(connection, {"hash": hashed, "channel": channel, "key": key})
    if not rows:
        return None
    (participant_id, opted_out_at, seen, conversation_id, status, state, language, consultation_id, sha256) = rows[0]
    return Caller(participant_id=participant_id, opted_out=opted_out_at is not None, seen=bool(seen),
                  conversation_id=conversation_id, status=status,
                  state=State.from_json(state) if state is not None else None, language=language,
                  consultation_id=consultation_id, flow_sha256=sha256)


_CONVERSATION = Prepared(
    select(_conversations.c.language, _conversations.c.consultation_id, _consultations.c.flow_sha256)
    .join(_consultations, _consultations.c.id == _conversations.c.consultation_id)
    .where(_conversations.c.id == bindparam("id")))


def conversation_flow(connection: Connection, conversation_id: int | None) -> tuple[Flow | None, str]:
    """A conversation's flow and language (None and French when there is no conversation)."""
    rows = _CONVERSATION.execute(connection, {"id": conversation_id}) if conversation_id is not None else []
    if not rows:
        return None, DEFAULT_LANGUAGE
    language, consultation_id, sha256 = rows[0]
    return flow_by_hash(connection, consultation_id, sha256), language or DEFAULT_LANGUAGE


def latest_flow(connection: Connection, participant_id: int) -> tuple[Flow | None, str]:
    """The flow and language of someone's latest conversation (None and French before their first)."""
    latest = latest_conversation(connection, participant_id)
    if latest is None:
        return None, DEFAULT_LANGUAGE
    return flow_by_hash(connection, latest.consultation_id, latest.flow_sha256), latest.language or DEFAULT_LANGUAGE


def caller_flow(connection: Connection, caller: Caller | None) -> Flow | None:
    """The flow of a caller's latest conversation, if any."""
    if caller is None or caller.consultation_id is None or caller.flow_sha256 is None:
        return None
    return flow_by_hash(connection, caller.consultation_id, caller.flow_sha256)
