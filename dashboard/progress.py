"""Live progress of a consultation: responses over time by channel, the completion funnel, opt-outs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.model import Flow
from flows.state import ACTIVE, COMPLETED, DECLINED, EXPIRED, OPTED_OUT
from models import Consultation, Conversation, Invitation


@dataclass
class Progress:
    by_day: dict[date, dict[str, int]] = field(default_factory=dict)  # day -> channel -> conversations started
    statuses: dict[str, int] = field(default_factory=dict)
    invited: int = 0
    stopped_at: list[tuple[str, int]] = field(default_factory=list)  # (question id, conversations left there), flow order
    channels: tuple[str, ...] = ()

    @property
    def started(self) -> int:
        return sum(self.statuses.values())

    @property
    def completed(self) -> int:
        return self.statuses.get(COMPLETED, 0)

    @property
    def opted_out(self) -> int:
        return self.statuses.get(OPTED_OUT, 0)

    @property
    def declined(self) -> int:
        return self.statuses.get(DECLINED, 0)


def progress_of(session: Session, consultation: Consultation, flow: Flow) -> Progress:
    """Count conversations by day, channel, status and where the unfinished ones stopped."""
    day = func.date(Conversation.started_at)
    result = Progress()
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    channels = set()
    for started, channel, count in session.execute(
        select(day, Conversation.channel, func.count())
        .where(Conversation.consultation_id == consultation.id)
        .group_by(day, Conversation.channel)
    ):
        started = started if isinstance(started, date) else date.fromisoformat(str(started))
        by_day[started][channel] = count
        channels.add(channel)
    result.by_day = dict(sorted(by_day.items()))
    result.channels = tuple(sorted(channels))
    result.statuses = dict(session.execute(
        select(Conversation.status, func.count()).where(Conversation.consultation_id == consultation.id).group_by(Conversation.status)
    ).all())
    result.invited = session.scalar(select(func.count()).select_from(Invitation).where(Invitation.consultation_id == consultation.id)) or 0
    # Where unfinished conversations stand: the question they were waiting on.
    waiting = dict(session.execute(
        select(Conversation.current_question, func.count())
        .where(Conversation.consultation_id == consultation.id, Conversation.status.in_((ACTIVE, EXPIRED, OPTED_OUT)))
        .group_by(Conversation.current_question)
    ).all())
    result.stopped_at = [(q.id, waiting.get(q.id, 0)) for q in flow.questions]
    return result
