"""Who collected a consultation's imported responses: per relay (for the profile), per enumerator (for staff).

Enumerators appear only by the first characters of their pseudonym: enough for staff to tell them
apart in a table and to match it with the import's report, never their name or account.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.state import COMPLETED
from models import Conversation, OfflineCollection

SHORT_PSEUDONYM_CHARS = 8  # 32 bits: distinct among a city's few hundred enumerators


def short_pseudonym(pseudonym: str | None) -> str | None:
    """An enumerator's or device's pseudonym as pages show it."""
    return pseudonym[:SHORT_PSEUDONYM_CHARS] if pseudonym else None


def relay_counts(session: Session, consultation_id: int) -> dict[str, int]:
    """Completed responses per relay name as stored (profiles.relays merges spellings)."""
    return dict(session.execute(
        select(OfflineCollection.relay, func.count())
        .join(Conversation, Conversation.id == OfflineCollection.conversation_id)
        .where(OfflineCollection.consultation_id == consultation_id, OfflineCollection.relay.is_not(None),
               Conversation.status == COMPLETED)
        .group_by(OfflineCollection.relay)
    ).all())


def enumerator_counts(session: Session, consultation_id: int) -> list[tuple[str, int]]:
    """Imported responses per enumerator's short pseudonym, most first; those that name nobody are left out."""
    rows = session.execute(
        select(OfflineCollection.enumerator, func.count())
        .where(OfflineCollection.consultation_id == consultation_id, OfflineCollection.enumerator.is_not(None))
        .group_by(OfflineCollection.enumerator)
    ).all()
    return sorted(((short_pseudonym(p) or "", n) for p, n in rows), key=lambda row: (-row[1], row[0]))
