"""Read responses back out of the database, as the answers the engine recorded."""

from __future__ import annotations

from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.state import COMPLETED
from models import Answer, Consultation, Conversation


def completed_answers(session: Session, consultation: Consultation) -> Iterator[dict[str, Any]]:
    """The answers of each completed conversation, plus the built-in `channel` and `language`."""
    rows = session.execute(
        select(Conversation.id, Conversation.channel, Conversation.language, Answer.question_id, Answer.value)
        .join(Answer, Answer.conversation_id == Conversation.id, isouter=True)
        .where(Conversation.consultation_id == consultation.id, Conversation.status == COMPLETED)
        .order_by(Conversation.id)
        .execution_options(yield_per=5000)
    )
    current_id, current = None, {}
    for conversation_id, channel, language, question_id, value in rows:
        if conversation_id != current_id:
            if current_id is not None:
                yield current
            current_id, current = conversation_id, {"channel": channel, "language": language}
        if question_id is not None:
            current[question_id] = value
    if current_id is not None:
        yield current
