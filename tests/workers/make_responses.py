"""Completed responses written straight to the database, as the inbound path leaves them (fast, for profile tests)."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from models import Answer, Consultation, Conversation, Participant
from palabre.population import draw_persona


def consultation_id(db, slug: str = "access-barriers") -> int:
    with db.session() as session:
        return session.scalar(select(Consultation.id).where(Consultation.slug == slug))


def add_responses(db, consultation: int, count: int, now: datetime, seed: int = 1, status: str = "completed") -> list[int]:
    """Store `count` conversations of synthetic citizens, with their answers; return their ids."""
    rng = random.Random(seed)
    ids = []
    with db.session() as session:
        for _ in range(count):
            persona = draw_persona(rng)
            person = Participant(pseudonym=secrets.token_hex(8), created_at=now)
            session.add(person)
            session.flush()
            conversation = Conversation(
                response_id=secrets.token_hex(8), participant_id=person.id, consultation_id=consultation,
                channel=persona.channel, language=persona.language, status=status, state={"answers": {}},
                started_at=now - timedelta(minutes=10), last_activity_at=now,
                completed_at=now if status == "completed" else None,
            )
            session.add(conversation)
            session.flush()
            for question_id, value in persona.answers.items():
                if value is not None:
                    session.add(Answer(conversation_id=conversation.id, question_id=question_id, value=value,
                                       raw_text=str(value), valid=True, answered_at=now))
            ids.append(conversation.id)
        session.commit()
    return ids
