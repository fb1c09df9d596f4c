"""Forget people: erase one participant on request, and drop the addresses a closed consultation no longer needs.

What stays of an erased participant is a tombstone: the pseudonym (a keyed hash of their number, not the number)
and the date they asked, so that an invitation list that still holds their number can never reach them again.
Published profile snapshots keep their counts: they are aggregates, and already out in the world.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from models import (Answer, ChannelAddress, Consultation, Conversation, Invitation, OfflineCollection, Participant,
                    ResponseFact)
from models.consultation import CLOSED
from palabre.participants import participant_references

log = logging.getLogger(__name__)

class UnknownParticipant(LookupError):
    """No participant has this pseudonym."""

@dataclass(frozen=True)
class Erased:
    pseudonym: str
    addresses: int
    conversations: int
    answers: int
    messages: int

def erase_participant(session: Session, pseudonym: str, now: datetime) -> Erased:
    """Remove a participant's addresses, answers and messages; keep an opted-out tombstone. The caller commits."""
    participant = session.scalar(select(Participant).where(Participant.pseudonym == pseudonym.strip()).with_for_update())
    if participant is None:
        raise UnknownParticipant(pseudonym)
    conversations = select(Conversation.id).where(Conversation.participant_id == participant.id).scalar_subquery()
    answers = session.execute(delete(Answer).where(Answer.conversation_id.in_(conversations))).rowcount
    session.execute(delete(ResponseFact).where(ResponseFact.conversation_id.in_(conversations)))
    session.execute(delete(OfflineCollection).where(OfflineCollection.conversation_id.in_(conversations)))
    removed: dict[str, int] = {}
    # Children before parents (outbound messages point at inbound ones): every table that names the participant.
    for table, column in reversed(participant_references()):
        removed[table.name] = session.execute(table.delete().where(column == participant.id)).rowcount
    participant.opted_out_at = participant.opted_out_at or now  # asked to be forgotten: never contacted again
    log.info("participant %s erased", participant.pseudonym)
    return Erased(
        pseudonym=participant.pseudonym, addresses=removed.get(ChannelAddress.__tablename__, 0),
        conversations=removed.get(Conversation.__tablename__, 0), answers=answers,
        messages=removed.get("inbound_messages", 0) + removed.get("outbound_messages", 0),
    )

def drop_stale_addresses(session: Session, retention_days: float, now: datetime) -> int:
    """Delete the phone numbers and chat ids of people whose every consultation closed over `retention_days` ago.

    Someone still invited to, or answering, a consultation that is open (or closed recently) keeps their address.
    Their answers stay (by pseudonym); if they write again, the inbound path links their address anew.
    """
    cutoff = now - timedelta(days=retention_days)
    recent = (Consultation.status != CLOSED) | (Consultation.closed_at.is_(None)) | (Consultation.closed_at > cutoff)
    still_needed = (
        exists().where(Conversation.participant_id == ChannelAddress.participant_id,
                       Conversation.consultation_id == Consultation.id, recent)
        | exists().where(Invitation.participant_id == ChannelAddress.participant_id,
                         Invitation.consultation_id == Consultation.id, recent)
    )
    took_part = exists().where(Conversation.participant_id == ChannelAddress.participant_id)
    dropped = session.execute(delete(ChannelAddress).where(took_part, ~still_needed)
                              .execution_options(synchronize_session=False)).rowcount
    if dropped:
        log.info("retention: %s channel addresses dropped", dropped)
    return dropped

