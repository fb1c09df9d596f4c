"""One person, one participant: link a new address to a participant, merging two records into one when needed.

A Telegram user who shares the phone number they answered with by SMS or USSD is the same citizen:
the two participants become the phone's one (its pseudonym is the one exports already show), and
the conversation under way goes on where it stands.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from flows.state import ACTIVE, State
from models import Base, ChannelAddress, Conversation, Invitation, Participant
from palabre import identity
from palabre.upsert import insert_ignore

log = logging.getLogger(__name__)


def link_address(session: Session, key: str, participant_id: int, scheme: str, address: str, now: datetime) -> int:
    """Give a participant another address; when it is someone else's, merge into them. Return the participant kept."""
    hashed = identity.address_hash(key, scheme, address)
    owner = session.scalar(select(ChannelAddress.participant_id).where(ChannelAddress.scheme == scheme,
                                                                        ChannelAddress.address_hash == hashed))
    if owner is None:
        created = insert_ignore(session, ChannelAddress, {
            "participant_id": participant_id, "scheme": scheme, "address_hash": hashed, "address": address, "created_at": now,
        }, ("scheme", "address_hash"))
        if created is not None:
            return participant_id
        owner = session.scalar(select(ChannelAddress.participant_id).where(ChannelAddress.scheme == scheme,
                                                                            ChannelAddress.address_hash == hashed))
    if owner == participant_id:
        return participant_id
    merge_participants(session, owner, participant_id, now)  # type: ignore[arg-type]
    return owner  # type: ignore[return-value]


def merge_participants(session: Session, keep_id: int, drop_id: int, now: datetime) -> None:
    """Move everything of `drop` to `keep`, then delete `drop`; the caller commits.

    - Two active conversations of the same consultation: the more advanced one (more questions
      behind it; on a tie, keep's) goes on and the other is deleted with its answers. It is not
      merely closed: one person gives one response, and the inbound path resumes a participant's
      latest conversation, so a closed newer one would hide the one kept.
    - Invitations to the same consultation: keep's stays, drop's goes.
    - Opt-out: if either had opted out, the merged participant has (since the earlier date).
    - Every other row pointing at drop (addresses, messages, any table added later) moves to keep.
    """
    if keep_id == drop_id:
        raise ValueError("a participant cannot be merged into itself")
    session.flush()
    keep, drop = (session.scalar(select(Participant).where(Participant.id == pid).with_for_update()) for pid in (keep_id, drop_id))
    if keep is None or drop is None:
        raise ValueError("both participants must exist")
    _settle_conversations(session, keep_id, drop_id)
    keep_invited = select(Invitation.consultation_id).where(Invitation.participant_id == keep_id)
    session.execute(delete(Invitation).where(Invitation.participant_id == drop_id, Invitation.consultation_id.in_(keep_invited)))
    stops = [t for t in (keep.opted_out_at, drop.opted_out_at) if t is not None]
    keep.opted_out_at = min(stops) if stops else None
    pseudonyms = (drop.pseudonym, keep.pseudonym)
    session.flush()
    for table, column in participant_references():
        session.execute(table.update().where(column == drop_id).values({column.name: keep_id}))
    session.execute(delete(Participant).where(Participant.id == drop_id))
    session.expire_all()  # the rows moved under the ORM's feet
    log.info("participant %s merged into %s", *pseudonyms)


def _settle_conversations(session: Session, keep_id: int, drop_id: int) -> None:
    """Where both have an active conversation on one consultation, delete the less advanced one."""
    active = session.scalars(
        select(Conversation).where(Conversation.participant_id.in_((keep_id, drop_id)), Conversation.status == ACTIVE)
        .order_by(Conversation.id).with_for_update()
    ).all()
    by_consultation: dict[int, list[Conversation]] = {}
    for conversation in active:
        by_consultation.setdefault(conversation.consultation_id, []).append(conversation)
    for conversations in by_consultation.values():
        if len({c.participant_id for c in conversations}) < 2:
            continue
        ranked = sorted(conversations, key=lambda c: (_progress(c), c.participant_id == keep_id), reverse=True)
        for loser in ranked[1:]:
            session.execute(delete(Conversation).where(Conversation.id == loser.id))


def _progress(conversation: Conversation) -> tuple[int, int]:
    state = State.from_json(conversation.state)
    return len(state.history), len(state.answers)


def participant_references() -> list[tuple[Table, object]]:
    """Every column, in every table, that points at a participant."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == Participant.__tablename__ for fk in column.foreign_keys):
                found.append((table, column))
    return found
