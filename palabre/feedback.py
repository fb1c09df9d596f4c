"""\"You said, we did\": who an action concerns, what telling them costs, and queueing the messages once each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from palabre.call_minutes import billed_minutes, speaking_seconds
from palabre.sms_segments import count_segments
from flows.model import Flow
from flows.state import COMPLETED
from models import Action, Answer, Consultation, Conversation, Participant
from palabre import whatsapp_window
from palabre.consultations import flow_of
from palabre.extensions import config
from palabre.outbound import queue_message
from profiles.facts import group_value

# A call saying a message ends with a short goodbye ("Merci, au revoir.").
GOODBYE_WORDS = 3


@dataclass(frozen=True)
class Recipient:
    participant_id: int
    channel: str
    language: str


@dataclass(frozen=True)
class LanguageCost:
    language: str
    recipients: int
    sms_recipients: int
    encoding: str
    segments: int
    call_recipients: int = 0  # those who answered by phone call: a call says the message to them
    call_minutes: int = 0  # the minutes Twilio bills for each such call


def matches(flow: Flow, groups: Iterable[dict], answers: dict[str, Any]) -> bool:
    """Whether a respondent belongs to an action's groups: any listed value of each variable named."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        wanted[group["variable"]].add(str(group["value"]))
    return all(str(group_value(flow, variable, answers)) in values for variable, values in wanted.items())


def recipients(session: Session, action: Action) -> list[Recipient]:
    """Respondents (completed, still opted in) of the groups an action addresses, on the channel and language they used."""
    consultation = session.get(Consultation, action.consultation_id)
    flow = flow_of(consultation)  # type: ignore[arg-type]
    rows = session.execute(
        select(Conversation.id, Conversation.participant_id, Conversation.channel, Conversation.language, Answer.question_id, Answer.value)
        .join(Participant, Participant.id == Conversation.participant_id)
        .join(Answer, Answer.conversation_id == Conversation.id, isouter=True)
        .where(Conversation.consultation_id == action.consultation_id, Conversation.status == COMPLETED,
               Participant.opted_out_at.is_(None))
        .order_by(Conversation.id)
    )
    people: dict[int, tuple[int, str, str, dict]] = {}
    for conversation_id, participant_id, channel, language, question_id, value in rows:
        entry = people.setdefault(conversation_id, (participant_id, channel, language, {"channel": channel, "language": language}))
        if question_id is not None:
            entry[3][question_id] = value
    chosen: dict[int, Recipient] = {}
    for participant_id, channel, language, answers in people.values():
        if matches(flow, action.groups or [], answers):
            chosen[participant_id] = Recipient(participant_id, channel, language)  # latest conversation wins
    return list(chosen.values())


def unreachable(session: Session, people: list[Recipient], now: datetime) -> dict[int, str]:
    """Recipients a message we start cannot reach now, by participant, with the reason (WhatsApp's 24-hour rule)."""
    settings = config()
    reasons = {}
    for person in people:
        if person.channel == whatsapp_window.CHANNEL:
            reason = whatsapp_window.refusal(session, settings, person.participant_id, now)
            if reason:
                reasons[person.participant_id] = reason
    return reasons


def preview(people: list[Recipient], texts: dict[str, str], left_out: Iterable[int] = ()) -> list[LanguageCost]:
    """Per language: how many recipients, how many by SMS and by call, the SMS encoding and segments of the text,
    and the billed minutes of a call saying it (then "goodbye")."""
    skipped = set(left_out)
    costs = []
    for language, text in texts.items():
        group = [p for p in people if p.language == language and p.participant_id not in skipped]
        count = count_segments(text)
        sms = sum(1 for p in group if p.channel in ("sms", "ussd"))
        calls = sum(1 for p in group if p.channel == "voice")
        minutes = billed_minutes(speaking_seconds(len(text.split()) + GOODBYE_WORDS))
        costs.append(LanguageCost(language, len(group), sms, count.encoding, count.segments, calls, minutes))
    return costs


def queue_feedback(session: Session, broadcast_id: int, people: list[Recipient], texts: dict[str, str],
                   default_language: str, now: datetime) -> list[int]:
    """Record one message per recipient; a recipient already queued, or out of reach (WhatsApp), is skipped."""
    ids = []
    left_out = unreachable(session, people, now)
    for person in people:
        if person.participant_id in left_out:
            continue
        text = texts.get(person.language) or texts[default_language]
        message_id = queue_message(session, person.participant_id, person.channel, text, "feedback", now,
                                   dedupe_key=f"broadcast:{broadcast_id}:{person.participant_id}")
        if message_id is not None:
            ids.append(message_id)
    return ids
